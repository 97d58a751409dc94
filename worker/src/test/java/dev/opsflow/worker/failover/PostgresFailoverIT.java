package dev.opsflow.worker.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.kubernetes.ServiceRoutingActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.postgres.FailoverActivitiesImpl;
import dev.opsflow.activities.postgres.FailoverClusterActivitiesImpl;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.failover.TimelineEntry;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.postgres.PostgresPair;
import dev.opsflow.sandbox.postgres.PostgresPair.Member;
import dev.opsflow.worker.MetricsEndpoint;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.failover.PostgresFailoverImpl;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole switchover on a real primary and streaming replica ({@link PostgresPair}) and the
 * sandbox Kubernetes API server holding the Service, with the real activities, while a writer keeps
 * inserting rows into the primary.
 */
class PostgresFailoverIT {
  private static final String NS = "db";
  private static final String ROLE = "role";
  private static final String QUEUE = "failover-it";

  private PostgresPair pair;
  private KubernetesSandbox kubernetes;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private OpsflowMetrics metrics;
  private MetricsEndpoint endpoint;

  @BeforeEach
  void start() throws SQLException {
    pair = PostgresPair.start();
    execute(Member.PRIMARY, "CREATE TABLE writes (id bigint PRIMARY KEY)");
    kubernetes = KubernetesSandbox.start();
    seedService();

    OpsflowConfig.Failover failover =
        new OpsflowConfig.Failover(
            Map.of(
                "demo",
                new OpsflowConfig.FailoverCluster(
                    NS,
                    "demo-db",
                    ROLE,
                    Map.of(
                        "demo-a", member(pair.primaryUrl(), "demo-db-0"),
                        "demo-b", member(pair.replicaUrl(), "demo-db-1")))),
            1024 * 1024,
            Duration.ofSeconds(30),
            3,
            Duration.ofSeconds(30),
            false,
            true);
    HumanPolicy approvers =
        new HumanPolicy(
            new ApprovalPolicy(List.of("alice"), 1, true, 3600, ApprovalPolicy.ESCALATE),
            List.of(),
            List.of(new EscalationStep(EscalationStep.SLACK, 0)),
            false,
            3600);
    PolicyActivities policy =
        () ->
            ServerPolicy.from(OpsflowConfig.defaults())
                .withHumans(HumanPolicy.DEFAULT, Map.of(PostgresFailover.TYPE, approvers));

    // The worker's metrics as a standalone worker exports them: its registry, on its endpoint.
    metrics = new OpsflowMetrics();
    endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setMetricsScope(metrics.temporalScope()).build());
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowCatalog.OPTIONS, PostgresFailoverImpl.class);
    worker.registerActivitiesImplementations(
        new FailoverActivitiesImpl(
            FailoverClusterActivitiesImpl.members(failover),
            details -> Activity.getExecutionContext().heartbeat(details)),
        new FailoverClusterActivitiesImpl(failover),
        new ServiceRoutingActivitiesImpl(
            kubernetes.client(),
            new NamespaceAllowList(List.of(NS)),
            details -> Activity.getExecutionContext().heartbeat(details)),
        policy,
        new QuietNotifications());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() throws Exception {
    if (env != null) {
      env.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  private static OpsflowConfig.FailoverMember member(String url, String pod) {
    return new OpsflowConfig.FailoverMember(url, "postgres", Secret.empty(), pod);
  }

  @Test
  void switchoverUnderWriteLoadLosesNoCommittedRowAndMovesWritesAndTheService() throws Exception {
    Writer writer = new Writer(pair);
    Thread thread = new Thread(writer, "writer");
    thread.start();
    try {
      writer.awaitCommits(100);
      FailoverDoor.start(
          client,
          QUEUE,
          new FailoverRequest(
              "demo",
              FailoverMode.SWITCHOVER,
              null,
              new RunEnvelope("critical", null, "carol", null),
              null));
      PostgresFailover run =
          client.newWorkflowStub(PostgresFailover.class, FailoverRequest.workflowId("demo"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (run.progress().waitingFor().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(run.progress().waitingFor()).as("waits for approval").hasSize(1);
      run.approveChecked(new Decision("alice", "planned switchover"));
      FailoverStatus done = WorkflowStub.fromTyped(run).getResult(FailoverStatus.class);
      writer.stop();
      thread.join(10_000);

      System.out.printf(
          "switchover: %s, write unavailability %d ms, %d rows committed, %d refused%n",
          done.outcome(),
          done.writeUnavailableMillis(),
          writer.committed.size(),
          writer.refused.get());
      done.timeline().forEach(t -> System.out.println("  " + line(t)));

      assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
      assertThat(done.primary()).isEqualTo("demo-a");
      assertThat(done.candidate()).isEqualTo("demo-b");
      assertThat(done.dataLossBytes()).isZero();
      assertThat(done.writeUnavailableMillis())
          .as("recorded in the status")
          .isNotNull()
          .isPositive();
      assertThat(writer.refused.get()).as("the writer was refused after the fence").isPositive();

      Set<Long> onNewPrimary = ids(Member.REPLICA);
      assertThat(onNewPrimary)
          .as("every committed row is on the new primary")
          .containsAll(writer.committed);
      execute(Member.REPLICA, "INSERT INTO writes VALUES (-1)");
      assertThatThrownBy(() -> execute(Member.PRIMARY, "INSERT INTO writes VALUES (-2)"))
          .as("the old primary refuses writes")
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("read-only");

      Endpoints endpoints =
          kubernetes.client().endpoints().inNamespace(NS).withName("demo-db").get();
      assertThat(
              endpoints.getSubsets().stream()
                  .flatMap(s -> s.getAddresses().stream())
                  .map(a -> a.getTargetRef().getName())
                  .toList())
          .containsExactly("demo-db-1");

      // The failover's metrics, as Prometheus scrapes the worker's endpoint (reported within 1 s).
      String scrape = "";
      // The scope reports each metric as it is flushed: wait for all three, not for one of them (a
      // CI run scraped the histograms one report before the counter).
      for (int i = 0;
          i < 50
              && !(scrape.contains("failover_write_unavailable_seconds_count")
                  && scrape.contains("failover_duration_seconds_count")
                  && scrape.contains("failover_total{"));
          i++) {
        Thread.sleep(200);
        scrape = scrapeMetrics();
      }
      String total = metricLine(scrape, "failover_total", "outcome=\"completed\"");
      assertThat(total).contains("cluster=\"demo\"", "mode=\"switchover\"");
      assertThat(value(total)).isEqualTo(1.0);
      String duration = metricLine(scrape, "failover_duration_seconds_count", "cluster=\"demo\"");
      assertThat(duration).contains("mode=\"switchover\"");
      assertThat(value(duration)).isEqualTo(1.0);
      assertThat(
              value(
                  metricLine(scrape, "failover_write_unavailable_seconds_sum", "cluster=\"demo\"")))
          .as("the window in the status, in seconds")
          .isCloseTo(
              done.writeUnavailableMillis() / 1000.0, org.assertj.core.data.Offset.offset(0.001));
    } finally {
      writer.stop();
      thread.join(10_000);
    }
  }

  @Test
  void failoverOfAKilledPrimaryConfirmsItDownAsksAHumanAndPromotesTheReplicaWithTheReplayedRows()
      throws Exception {
    for (long id = 1; id <= 50; id++) {
      execute(Member.PRIMARY, "INSERT INTO writes VALUES (" + id + ")");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (ids(Member.REPLICA).size() < 50 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(ids(Member.REPLICA)).as("streamed before the crash").hasSize(50);
    pair.kill(Member.PRIMARY);

    FailoverDoor.start(
        client,
        QUEUE,
        new FailoverRequest(
            "demo",
            FailoverMode.FAILOVER,
            null,
            new RunEnvelope("critical", null, "carol", null),
            null));
    PostgresFailover run =
        client.newWorkflowStub(PostgresFailover.class, FailoverRequest.workflowId("demo"));
    // The confirmation probes wait on timers: move the test service's clock past the window.
    for (int i = 0; i < 20 && run.progress().waitingFor().isEmpty(); i++) {
      env.sleep(Duration.ofSeconds(5));
    }
    assertThat(run.progress().waitingFor()).as("a human decides").hasSize(1);
    FailoverStatus asking = run.status();
    assertThat(asking.mode()).isEqualTo(FailoverMode.FAILOVER);
    assertThat(asking.promoted()).isFalse();
    assertThat(asking.timeline())
        .filteredOn(t -> t.step().equals("confirm-down"))
        .as("three failed probes over the window, then the verdict")
        .hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(t -> assertThat(t.success()).isTrue());
    assertThat(ids(Member.REPLICA)).as("nothing promoted before the answer").hasSize(50);

    run.approveChecked(new Decision("alice", "the primary's host is gone"));
    FailoverStatus done = WorkflowStub.fromTyped(run).getResult(FailoverStatus.class);
    done.timeline().forEach(t -> System.out.println("  " + line(t)));

    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(done.primary()).isEqualTo("demo-a");
    assertThat(done.candidate()).isEqualTo("demo-b");
    assertThat(done.promoted()).isTrue();
    assertThat(done.timeline())
        .extracting(TimelineEntry::step)
        .as("no fence on a primary that is down")
        .doesNotContain("fence");
    assertThat(done.timeline())
        .filteredOn(t -> t.step().equals("approval"))
        .extracting(TimelineEntry::decidedBy)
        .anySatisfy(by -> assertThat(by).contains("alice"));
    assertThat(pair.isRunning(Member.PRIMARY)).isFalse();
    assertThat(ids(Member.REPLICA)).as("every replayed row survives").hasSize(50);
    execute(Member.REPLICA, "INSERT INTO writes VALUES (51)");
    Endpoints endpoints = kubernetes.client().endpoints().inNamespace(NS).withName("demo-db").get();
    assertThat(
            endpoints.getSubsets().stream()
                .flatMap(s -> s.getAddresses().stream())
                .map(a -> a.getTargetRef().getName())
                .toList())
        .containsExactly("demo-db-1");
  }

  private String scrapeMetrics() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static double value(String sample) {
    return Double.parseDouble(sample.substring(sample.lastIndexOf(' ') + 1));
  }

  /** The one sample line of {@code name} with {@code label} in the scrape. */
  private static String metricLine(String scrape, String name, String label) {
    List<String> lines =
        scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).toList();
    assertThat(lines).as(name + " with " + label + " in:\n" + scrape).hasSize(1);
    return lines.get(0);
  }

  private static String line(TimelineEntry t) {
    return t.step()
        + (t.member().isEmpty() ? "" : " " + t.member())
        + (t.lsn().isEmpty() ? "" : " @" + t.lsn())
        + (t.decidedBy().isEmpty() ? "" : " by " + t.decidedBy())
        + ": "
        + t.detail();
  }

  private void seedService() {
    var k8s = kubernetes.client();
    k8s.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    pod("demo-db-0", "primary");
    pod("demo-db-1", "replica");
    k8s.services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("demo-db")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "demo-db", ROLE, "primary"))
                .addNewPort()
                .withName("postgres")
                .withPort(5432)
                .endPort()
                .endSpec()
                .build())
        .create();
    kubernetes.reconcile();
  }

  private void pod(String name, String role) {
    kubernetes
        .client()
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(Map.of("app", "demo-db", ROLE, role))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("postgres")
                .withImage("postgres:14")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withContainerStatuses(
                    new ContainerStatusBuilder().withName("postgres").withReady(true).build())
                .endStatus()
                .build())
        .create();
  }

  private void execute(Member member, String sql) throws SQLException {
    try (Connection connection = pair.dataSource(member).getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private Set<Long> ids(Member member) throws SQLException {
    Set<Long> ids = new TreeSet<>();
    try (Connection connection = pair.dataSource(member).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM writes")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /** Inserts rows one by one into the first member, noting which commits were acknowledged. */
  private static final class Writer implements Runnable {
    private final PostgresPair pair;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final Set<Long> committed = new ConcurrentSkipListSet<>();
    final AtomicLong refused = new AtomicLong();
    private final AtomicLong next = new AtomicLong(1);

    Writer(PostgresPair pair) {
      this.pair = pair;
    }

    void stop() {
      running.set(false);
    }

    void awaitCommits(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (committed.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(committed).hasSizeGreaterThanOrEqualTo(n);
    }

    @Override
    public void run() {
      while (running.get()) {
        try (Connection connection = pair.dataSource(Member.PRIMARY).getConnection();
            PreparedStatement insert =
                connection.prepareStatement("INSERT INTO writes VALUES (?)")) {
          while (running.get()) {
            long id = next.getAndIncrement();
            try {
              insert.setLong(1, id);
              insert.executeUpdate();
              committed.add(id);
            } catch (SQLException e) {
              // Read-only (the fence) or a session ended by it: this row was not acknowledged.
              refused.incrementAndGet();
              if (!"25006".equals(e.getSQLState())) {
                throw e;
              }
              Thread.sleep(20);
            }
          }
        } catch (SQLException e) {
          refused.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Slack and PagerDuty that accept everything. */
  private static final class QuietNotifications implements NotificationActivities {
    @Override
    public SlackPosted postSlack(SlackMessage message) {
      return new SlackPosted("C1", "1.1", false);
    }

    @Override
    public SlackPosted updateSlack(SlackUpdate update) {
      return new SlackPosted("C1", "1.1", false);
    }

    @Override
    public PagerDutyResult pagerDuty(PagerDutyEvent event) {
      return new PagerDutyResult("success", "k");
    }

    @Override
    public WebhookDelivered webhook(WebhookEvent event) {
      return null;
    }
  }
}
