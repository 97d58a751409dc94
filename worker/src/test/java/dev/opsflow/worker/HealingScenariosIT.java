package dev.opsflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.HealthWatchdog;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javalin.Javalin;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The five scenarios end to end, against real systems: a Kafka broker (KRaft, in-process),
 * a PostgreSQL server (embedded binaries), fabric8's Kubernetes mock API server in CRUD mode, and
 * local Slack / PagerDuty endpoints that speak their wire formats. The real activities run; the
 * Temporal service skips time through confirmation delays, settle times and cooldowns.
 */
class HealingScenariosIT {
  private static final String NS = "demo";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static KubernetesSandbox kubernetes;
  private static EmbeddedKafka kafka;
  private static SandboxPostgres postgres;
  private static Javalin notifications;
  private static final List<String> slackBodies = new CopyOnWriteArrayList<>();
  private static final List<JsonNode> pagerDutyEvents = new CopyOnWriteArrayList<>();
  private static Map<String, String> settings;
  private static OpsflowMetrics metrics;

  private TestWorkflowEnvironment env;
  private ActivityCatalog activities;
  private final java.util.concurrent.atomic.AtomicReference<HealingPolicy> serverPolicy =
      new java.util.concurrent.atomic.AtomicReference<>();
  private RemediationDispatcher dispatcher;
  private WorkflowClient client;

  @BeforeAll
  static void startSystems() throws Exception {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedDemo(NS);
    kafka = EmbeddedKafka.start();
    postgres = SandboxPostgres.start(200);
    notifications =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post(
                      "/api/chat.postMessage",
                      ctx -> {
                        slackBodies.add(URLDecoder.decode(ctx.body(), StandardCharsets.UTF_8));
                        ctx.json(Map.of("ok", true, "channel", "C0OPS", "ts", "1700000000.000100"));
                      });
                  cfg.routes.post(
                      "/v2/enqueue",
                      ctx -> {
                        JsonNode event = JSON.readTree(ctx.body());
                        pagerDutyEvents.add(event);
                        ctx.status(202)
                            .json(
                                Map.of(
                                    "status",
                                    "success",
                                    "message",
                                    "Event processed",
                                    "dedup_key",
                                    event.path("dedup_key").asText()));
                      });
                })
            .start("127.0.0.1", 0);
    Path dir = Files.createTempDirectory("healing-it");
    settings = new HashMap<>();
    settings.put("KUBECONFIG", kubernetes.writeKubeconfig(dir).toString());
    settings.put("KUBERNETES_ALLOWED_NAMESPACES", NS);
    settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    settings.put("POSTGRES_URL", postgres.jdbcUrl());
    settings.put("POSTGRES_USER", postgres.user());
    settings.put("SLACK_TOKEN", "xoxb-healing-it");
    settings.put("SLACK_CHANNEL", "#ops");
    settings.put("SLACK_API_URL", "http://127.0.0.1:" + notifications.port() + "/api/");
    settings.put("PAGERDUTY_ROUTING_KEY", "routing-key-it");
    settings.put(
        "PAGERDUTY_EVENTS_URL", "http://127.0.0.1:" + notifications.port() + "/v2/enqueue");
    metrics = new OpsflowMetrics();
  }

  @AfterAll
  static void stopSystems() throws Exception {
    metrics.close();
    notifications.stop();
    postgres.close();
    kafka.close();
    kubernetes.close();
  }

  @BeforeEach
  void startTemporal() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setMetricsScope(metrics.temporalScope()).build());
    client = env.getWorkflowClient();
    // The same registration the worker does at start-up, against the test service.
    SearchAttributeSetup.ensure(client);
    OpsflowConfig config = ConfigLoader.load(null, settings);
    serverPolicy.set(ServerPolicy.from(config));
    activities = ActivityCatalog.fromConfig(config, client, serverPolicy::get);
    Worker worker = env.newWorker(TaskQueues.OPERATIONS);
    WorkflowCatalog.register(worker);
    worker.registerActivitiesImplementations(activities.implementations().toArray());
    env.start();
    dispatcher = new RemediationDispatcher(client, TaskQueues.OPERATIONS);
  }

  @AfterEach
  void stopTemporal() throws Exception {
    env.close();
    activities.close();
  }

  /**
   * A policy as configured through the environment, e.g. {@code MEMORY_RAISE_FACTOR=2}: the
   * worker's policy (what runs read) becomes it too, since the server's policy is what holds.
   */
  private HealingPolicy policy(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    HealingPolicy policy = ServerPolicy.from(ConfigLoader.load(null, env).healing());
    serverPolicy.set(policy);
    return policy;
  }

  private static AlertNotice firing(String alert, String startsAt) {
    return new AlertNotice(
        alert,
        AlertNotice.FIRING,
        "fp-" + alert,
        startsAt,
        Map.of("alertname", alert),
        Map.of(),
        "alertmanager");
  }

  private RemediationOutcome outcome(RemediationRequest request) {
    return client.newUntypedWorkflowStub(request.workflowId()).getResult(RemediationOutcome.class);
  }

  /**
   * The count once earlier scenarios' increments have surely been reported (tally: every second).
   */
  private static double settledCounter(String action, boolean success) throws InterruptedException {
    Thread.sleep(1_200);
    return counter(action, success);
  }

  private static double counter(String action, boolean success) {
    var counter =
        metrics
            .registry()
            .find("healing_actions")
            .tags("action", action, "success", Boolean.toString(success))
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static Deployment deployment(String name) {
    return kubernetes.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  @Test
  void lagAboveThresholdScalesConsumersFromOneToSix() throws Exception {
    kafka.seedLaggingGroup("orders", 6, "orders-consumer", 20_000, 0);
    // The consumer application: once scaled out, its consumers catch up with the backlog.
    kubernetes.onRollout(
        NS,
        KubernetesSandbox.CONSUMER,
        replicas -> {
          if (replicas > 1) {
            kafka.commitOffsets("orders-consumer", "orders", EmbeddedKafka.spread(20_000, 6));
          }
        });
    RemediationRequest request =
        new RemediationRequest(
            "KafkaLagRemediation",
            new ConsumerGroupTarget(NS, KubernetesSandbox.CONSUMER, "orders-consumer", "orders"),
            new RunEnvelope(
                "high",
                firing("KafkaConsumerLagHigh", "2026-11-23T10:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            policy());
    double before = settledCounter("scale_kafka_consumers", true);
    dispatcher.dispatch(request);

    RemediationOutcome outcome = outcome(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(deployment(KubernetesSandbox.CONSUMER).getSpec().getReplicas()).isEqualTo(6);
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).startsWith("replicas 1 -> 6 (lag 20000)"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              // The metrics registry is shared by the class: this scenario adds exactly one.
              assertThat(counter("scale_kafka_consumers", true)).isEqualTo(before + 1);
              assertThat(metrics.scrape())
                  .containsPattern(
                      "(?m)^healing_actions_total\\{.*action=\"scale_kafka_consumers\".*success=\"true\".*\\} \\d+\\.0$")
                  .containsPattern(
                      "(?m)^healing_latency_seconds_bucket\\{.*le=\"300\\.0\".*\\} [1-9]\\d*$");
            });
  }

  @Test
  void aWatchdogFindsTheLagWithoutAnyAlertAndTheSameRemediationFixesIt() {
    kubernetes.createDeployment(NS, "watched-consumer", 1, "64Mi", "128Mi");
    kafka.seedLaggingGroup("watched", 6, "watched-group", 20_000, 0);
    kubernetes.onRollout(
        NS,
        "watched-consumer",
        replicas -> {
          if (replicas > 1) {
            kafka.commitOffsets("watched-group", "watched", EmbeddedKafka.spread(20_000, 6));
          }
        });
    Target target = new ConsumerGroupTarget(NS, "watched-consumer", "watched-group", "watched");
    HealthWatchdog watchdog =
        client.newWorkflowStub(
            HealthWatchdog.class,
            io.temporal.client.WorkflowOptions.newBuilder()
                .setWorkflowId(WatchdogInput.workflowId("kafka"))
                .setTaskQueue(TaskQueues.OPERATIONS)
                .build());
    WorkflowClient.start(
        watchdog::watch, new WatchdogInput("kafka", List.of(target), policy(), 0, Map.of()));
    String remediation =
        new RemediationRequest(
                "KafkaLagRemediation",
                target,
                new RunEnvelope("high", null, RemediationRequest.AUTOMATON, null),
                null,
                policy())
            .workflowId();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> watchdog.status().problems().contains(remediation));

    RemediationOutcome outcome =
        client.newUntypedWorkflowStub(remediation).getResult(RemediationOutcome.class);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(deployment("watched-consumer").getSpec().getReplicas()).isEqualTo(6);
    assertThat(metrics.registry().find("healing_checks").tags("check", "kafka").counter())
        .isNotNull();
  }

  @Test
  void idleSessionsOlderThanTheBoundAreTerminatedYoungerOnesAreNot() throws Exception {
    List<Connection> old = postgres.openIdleConnections(100, "old-sessions");
    Thread.sleep(3_000);
    List<Connection> young = postgres.openIdleConnections(10, "young-sessions");
    RemediationRequest request =
        new RemediationRequest(
            "PostgresConnectionRemediation",
            new DatabaseTarget(""),
            new RunEnvelope(
                "high",
                firing("PostgresTooManyConnections", "2026-11-23T10:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            policy("POSTGRES_CONN_THRESHOLD", "50", "IDLE_SESSION_AGE", "2s"));
    dispatcher.dispatch(request);

    RemediationOutcome outcome = outcome(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).startsWith("100 sessions idle > 2s terminated"));
    assertThat(old).noneMatch(HealingScenariosIT::alive);
    assertThat(young).allMatch(HealingScenariosIT::alive);
    for (Connection c : young) {
      c.close();
    }
  }

  private static boolean alive(Connection c) {
    try (var st = c.createStatement()) {
      st.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Test
  void oomKilledDoublesTheLimitAndASecondOomInsideTheCooldownEscalates() {
    RemediationRequest request =
        new RemediationRequest(
            "OomRemediation",
            new WorkloadTarget(NS, KubernetesSandbox.OOM, "app", ""),
            new RunEnvelope(
                "critical",
                firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            policy("MEMORY_RAISE_FACTOR", "2"));
    // The kubelet: the raised pods run out of memory again, and Alertmanager reports a new episode.
    kubernetes.onRollout(
        NS,
        KubernetesSandbox.OOM,
        replicas -> {
          String limit =
              deployment(KubernetesSandbox.OOM)
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getResources()
                  .getLimits()
                  .get("memory")
                  .toString();
          if (limit.equals("2Gi")) {
            dispatcher.dispatch(
                new RemediationRequest(
                    request.procedure(),
                    request.target(),
                    new RunEnvelope(
                        "critical",
                        firing(
                            "KubePodOOMKilled",
                            java.time.Instant.ofEpochMilli(env.currentTimeMillis()).toString()),
                        RemediationRequest.AUTOMATON,
                        null),
                    null,
                    request.policy()));
          }
        });
    dispatcher.dispatch(request);

    RemediationOutcome outcome = outcome(request);

    var resources =
        deployment(KubernetesSandbox.OOM)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getResources();
    assertThat(resources.getLimits().get("memory").toString())
        .as("doubled once, not again")
        .isEqualTo("2Gi");
    assertThat(resources.getRequests().get("memory").toString()).isEqualTo("1Gi");
    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    // Either the raised pods are seen OOMKilled at verification, or the new episode arrives in the
    // cooldown: both escalate without raising again.
    assertThat(outcome.detail())
        .containsAnyOf("came back within the cooldown", "still OOMKilled with the new limit");
    assertThat(outcome.actions()).extracting(a -> a.action()).containsExactly("raise_memory_limit");
    assertThat(pagerDutyEvents)
        .anyMatch(e -> e.path("dedup_key").asText().equals(request.workflowId()));
  }

  @Test
  void aRestartLoopGetsExactlyOneRolloutRestartThoughTheAlertFiresFiftyTimes() throws Exception {
    RemediationRequest request =
        new RemediationRequest(
            "CrashLoopRemediation",
            new WorkloadTarget(NS, KubernetesSandbox.CRASH_LOOP, "", ""),
            new RunEnvelope(
                "critical",
                firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            policy());
    double before = settledCounter("rollout_restart", true);
    for (int i = 0; i < 50; i++) {
      dispatcher.dispatch(request);
    }

    RemediationOutcome outcome = outcome(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(outcome.actions()).extracting(a -> a.action()).containsExactly("rollout_restart");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(counter("rollout_restart", true)).isEqualTo(before + 1));
    Map<String, String> annotations =
        deployment(KubernetesSandbox.CRASH_LOOP)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    assertThat(annotations)
        .containsKey("kubectl.kubernetes.io/restartedAt")
        .containsKey("opsflow.dev/restart-action-id");
    RemediationStatus status =
        client
            .newUntypedWorkflowStub(request.workflowId())
            .query("status", RemediationStatus.class);
    assertThat(status.notices()).as("50 resends of one episode").isEqualTo(1);
    assertThat(
            kubernetes
                .client()
                .pods()
                .inNamespace(NS)
                .withLabel("app", KubernetesSandbox.CRASH_LOOP)
                .list()
                .getItems())
        .allSatisfy(
            p ->
                assertThat(p.getStatus().getContainerStatuses().get(0).getState().getRunning())
                    .isNotNull());
  }

  @Test
  void anActionThatKeepsFailingEscalatesToSlackAndPagerDutyWithTheWorkflowId() throws Exception {
    kubernetes.createDeployment(NS, "stuck-consumer", 1, "64Mi", "128Mi");
    kubernetes.reconcile();
    kafka.seedLaggingGroup("stuck", 6, "stuck-group", 20_000, 0);
    kubernetes
        .server()
        .expect()
        .patch()
        // Every write names opsflow as its field manager, and the mock matches the whole path.
        .withPath("/apis/apps/v1/namespaces/demo/deployments/stuck-consumer?fieldManager=opsflow")
        .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd unavailable\"}")
        .always();
    RemediationRequest request =
        new RemediationRequest(
            "KafkaLagRemediation",
            new ConsumerGroupTarget(NS, "stuck-consumer", "stuck-group", "stuck"),
            new RunEnvelope(
                "high",
                firing("KafkaConsumerLagHigh", "2026-11-23T11:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            policy());
    double failuresBefore = settledCounter("scale_kafka_consumers", false);
    dispatcher.dispatch(request);

    RemediationOutcome outcome = outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.success()).isFalse();
              assertThat(a.detail()).contains("500");
            });
    assertThat(deployment("stuck-consumer").getSpec().getReplicas()).isEqualTo(1);
    assertThat(slackBodies)
        .anyMatch(b -> b.contains(request.workflowId()) && b.contains("channel=#ops"));
    assertThat(pagerDutyEvents)
        .anySatisfy(
            e -> {
              assertThat(e.path("dedup_key").asText()).isEqualTo(request.workflowId());
              assertThat(e.path("event_action").asText()).isEqualTo("trigger");
              assertThat(e.path("routing_key").asText()).isEqualTo("routing-key-it");
              assertThat(e.path("payload").path("summary").asText()).contains(request.workflowId());
            });
    // Tally hands counters to Micrometer once a second.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(counter("scale_kafka_consumers", false)).isEqualTo(failuresBefore + 1));
  }
}
