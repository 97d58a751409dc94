package dev.opsflow.dev.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.failover.TimelineEntry;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.dev.OpsflowDev;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.postgres.PostgresPair;
import dev.opsflow.sandbox.postgres.PostgresPair.Member;
import dev.opsflow.worker.TemporalConnection;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the worker running a switchover between the fence and the promotion: the
 * primary is fenced and its final position taken, and the replica's replay is paused so the run is
 * held in its wait for the replay. A second worker JVM finishes the run; the replica is promoted
 * exactly once. Workers are separate JVMs ({@code opsflow dev --worker-only}, no sticky execution,
 * as the dev stack runs them), the PostgreSQL pair and the Kubernetes mock API real.
 */
class FailoverWorkerKillIT {
  private static final String NS = "demo";
  private static final String CLUSTER = "demo";

  private static EmbeddedTemporalService temporal;
  private static KubernetesSandbox kubernetes;
  private static PostgresPair pair;
  private static TemporalConnection connection;
  private static Path logs;
  private static Path config;
  private static final List<Process> workers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    temporal = EmbeddedTemporalService.start("127.0.0.1", 0);
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedDemo(NS);
    kubernetes.seedDatabasePods(NS, "db-0", "db-1");
    pair = PostgresPair.start();
    logs = Files.createDirectories(Path.of("target", "failover-worker-kill"));
    config = logs.resolve("opsflow.yaml");
    Files.writeString(
        config,
        """
        kubernetes:
          kubeconfig: %s
          allowedNamespaces: [demo]
        failover:
          replayTimeout: 120s
          clusters:
            demo:
              namespace: demo
              service: db
              roleLabelKey: role
              members:
                demo-a: {url: '%s', user: %s, pod: db-0}
                demo-b: {url: '%s', user: %s, pod: db-1}
        procedures:
          PostgresFailover:
            approval: {approvers: [alice], required: 1, fourEyes: true, timeout: 1h, onTimeout: reject}
        """
            .formatted(
                kubernetes.writeKubeconfig(logs).toAbsolutePath(),
                pair.primaryUrl(),
                pair.user(),
                pair.replicaUrl(),
                pair.user()));
    connection =
        TemporalConnection.connect(
            ConfigLoader.load(null, Map.of("TEMPORAL_ADDRESS", temporal.target())).temporal(),
            null,
            Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : workers) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (connection != null) {
      connection.close();
    }
    if (pair != null) {
      pair.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void aWorkerKilledBetweenFenceAndPromoteIsReplacedAndTheReplicaIsPromotedOnce() throws Exception {
    WorkflowClient client = connection.client();
    Process first = startWorker(0);
    FailoverDoor.start(
        client,
        TaskQueues.OPERATIONS,
        new FailoverRequest(
            CLUSTER,
            FailoverMode.SWITCHOVER,
            null,
            new RunEnvelope("critical", null, "carol", null),
            null));
    String workflowId = FailoverRequest.workflowId(CLUSTER);
    PostgresFailover run = client.newWorkflowStub(PostgresFailover.class, workflowId);
    await().atMost(Duration.ofSeconds(120)).until(() -> !run.progress().waitingFor().isEmpty());
    // Hold the run between fence and promote: the replica receives the final position but does
    // not replay it, so the wait for the replay is where the worker dies.
    sql(Member.REPLICA, "SELECT pg_wal_replay_pause()");
    // An application's write after the pause: the fenced primary's final position is then ahead
    // of what the paused replica replayed (without it the final position may already be replayed,
    // and the wait for the replay ends at once, before the worker can be killed in it).
    sql(Member.PRIMARY, "CREATE TABLE IF NOT EXISTS app_writes (id bigint)");
    sql(Member.PRIMARY, "INSERT INTO app_writes VALUES (1)");
    run.approveChecked(new Decision("alice", "switch over"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> pendingStarted(client, workflowId, "FailoverWaitForReplay"));
    FailoverStatus held = run.status();
    assertThat(held.formerPrimaryFenced()).isTrue();
    assertThat(held.finalLsn()).isNotEmpty();
    assertThat(newTransactionReadOnly(Member.PRIMARY)).as("the primary is fenced").isTrue();
    assertThat(inRecovery(Member.REPLICA)).as("not promoted yet").isTrue();

    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    sql(Member.REPLICA, "SELECT pg_wal_replay_resume()");
    startWorker(1);

    FailoverStatus done =
        WorkflowStub.fromTyped(run).getResult(4, TimeUnit.MINUTES, FailoverStatus.class);

    assertThat(done.outcome())
        .as(String.valueOf(done.timeline()))
        .isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(done.candidate()).isEqualTo("demo-b");
    assertThat(inRecovery(Member.REPLICA)).as("the replica was promoted").isFalse();
    assertThat(newTransactionReadOnly(Member.PRIMARY)).as("the old primary stays fenced").isTrue();
    List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
    assertThat(scheduled(events, "FailoverPromote")).as("one promotion asked for").isEqualTo(1);
    assertThat(attempt(events, "FailoverPromote")).as("and it ran once").isEqualTo(1);
    assertThat(done.timeline())
        .filteredOn(t -> t.step().equals("promote"))
        .singleElement()
        .extracting(TimelineEntry::detail)
        .satisfies(d -> assertThat(d).startsWith("promoted at"));
    assertThat(scheduled(events, "FailoverFence")).as("fenced once").isEqualTo(1);
    assertThat(attempt(events, "FailoverWaitForReplay"))
        .as("the wait that reported back ran on the second worker")
        .isGreaterThanOrEqualTo(2);
  }

  private static boolean pendingStarted(WorkflowClient client, String workflowId, String type) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setExecution(
                    io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                        .setWorkflowId(workflowId))
                .build())
        .getPendingActivitiesList()
        .stream()
        .anyMatch(
            a ->
                a.getActivityType().getName().equals(type)
                    && a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
  }

  private static long scheduled(List<HistoryEvent> events, String type) {
    return events.stream()
        .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .filter(
            e ->
                e.getActivityTaskScheduledEventAttributes()
                    .getActivityType()
                    .getName()
                    .equals(type))
        .count();
  }

  /** The attempt of the last started attempt of {@code type} (0 if it never started). */
  private static int attempt(List<HistoryEvent> events, String type) {
    long scheduled = -1;
    int attempt = 0;
    for (HistoryEvent e : events) {
      if (e.hasActivityTaskScheduledEventAttributes()
          && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(type)) {
        scheduled = e.getEventId();
      }
      if (e.hasActivityTaskStartedEventAttributes()
          && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduled) {
        attempt = e.getActivityTaskStartedEventAttributes().getAttempt();
      }
    }
    return attempt;
  }

  private static void sql(Member member, String statement) throws SQLException {
    try (Connection c = pair.dataSource(member).getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static boolean inRecovery(Member member) throws SQLException {
    return bool(member, "SELECT pg_is_in_recovery()");
  }

  private static boolean newTransactionReadOnly(Member member) throws SQLException {
    return bool(member, "SELECT current_setting('transaction_read_only') = 'on'");
  }

  private static boolean bool(Member member, String query) throws SQLException {
    try (Connection c = pair.dataSource(member).getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** A worker JVM, as {@code ./opsflow dev --worker-only} starts it, with its log in target. */
  private static Process startWorker(int index) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            OpsflowDev.class.getName(),
            "dev",
            "--worker-only",
            "--config",
            config.toAbsolutePath().toString(),
            "--temporal-address",
            temporal.target());
    builder.environment().put("OPSFLOW_METRICS_PORT", "0");
    File log = logs.resolve("worker-" + index + ".log").toFile();
    builder.redirectErrorStream(true).redirectOutput(log);
    Process process = builder.start();
    workers.add(process);
    return process;
  }
}
