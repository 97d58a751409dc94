package dev.opsflow.dev.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.dev.OpsflowDev;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.TemporalConnection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a worker process in the middle of an action, five times. The cluster (the
 * Kubernetes mock API in CRUD mode and a Kafka broker), the embedded Temporal service and the
 * starter run in this JVM; each worker is a separate JVM ({@code opsflow dev --worker-only}) that
 * is killed the moment its scale PATCH is on the cluster and its answer not yet back (the API
 * server holds that one answer), that is after the action started and before verification. A new
 * worker takes over every time.
 */
class WorkerKillIT {
  private static final String NS = "demo";
  private static final int RUNS = 5;
  private static final String TOKEN = "kill-it";

  private static EmbeddedTemporalService temporal;
  private static KubernetesSandbox kubernetes;
  private static EmbeddedKafka kafka;
  private static TemporalConnection connection;
  private static OpsflowMetrics metrics;
  private static StarterServer starter;
  private static Map<String, String> settings;
  private static Path logs;
  private static final List<ApiRequest> requests = new CopyOnWriteArrayList<>();
  private static final Set<String> held = ConcurrentHashMap.newKeySet();
  private static final List<Process> workers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    temporal = EmbeddedTemporalService.start("127.0.0.1", 0);
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedDemo(NS);
    kubernetes.onRequest(requests::add);
    kafka = EmbeddedKafka.start();
    logs = Files.createDirectories(Path.of("target", "worker-kill"));
    settings = new HashMap<>();
    settings.put("TEMPORAL_ADDRESS", temporal.target());
    settings.put("KUBECONFIG", kubernetes.writeKubeconfig(logs).toAbsolutePath().toString());
    settings.put("KUBERNETES_ALLOWED_NAMESPACES", NS);
    settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    settings.put("CONFIRM_DELAY_HIGH", "0s");
    settings.put("SETTLE_TIME", "0s");
    settings.put("ACTION_COOLDOWN", "1s");
    settings.put("OPSFLOW_METRICS_PORT", "0");
    settings.put("ALERTS_BEARER_TOKEN", TOKEN);
    OpsflowConfig config = ConfigLoader.load(null, settings);
    metrics = new OpsflowMetrics();
    connection = TemporalConnection.connect(config.temporal(), null, Duration.ofSeconds(10));
    starter = StarterServer.start("127.0.0.1", 0, connection.client(), metrics, config);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : workers) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (starter != null) {
      starter.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void aWorkerKilledMidScaleFiveTimesLeavesEachScaleAppliedOnceAndRecordedFromOneReplica()
      throws Exception {
    AlertPosts alerts = new AlertPosts(starter.url(), TOKEN);
    Map<String, String> runByDeployment = new HashMap<>();
    Process worker = startWorker(0);
    for (int k = 1; k <= RUNS; k++) {
      String deployment = "killed-" + k;
      prepareLaggingConsumer(deployment);
      kubernetes.holdFirstAnswer(
          r ->
              r.byOpsflow()
                  && r.verb().equals("PATCH")
                  && r.resource().equals("deployments")
                  && r.namespace().equals(NS)
                  && r.name().equals(deployment),
          Duration.ofSeconds(90),
          r -> held.add(deployment));

      AlertPosts.Answer answer =
          alerts.fire(
              Map.of(
                  "alertname", "KafkaConsumerLagHigh",
                  "namespace", NS,
                  "deployment", deployment,
                  "consumergroup", deployment,
                  "topic", deployment,
                  "severity", "warning"),
              "f1ed" + k,
              "2026-11-23T10:00:00.000Z");
      assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
      assertThat(answer.workflows()).hasSize(1);
      runByDeployment.put(deployment, answer.workflows().get(0));

      // The PATCH is stored and its answer held back: the action is on the cluster, the worker
      // has not heard so. Now, for real: SIGKILL.
      await().atMost(Duration.ofSeconds(120)).until(() -> held.contains(deployment));
      assertThat(replicas(deployment)).as("applied before the kill").isEqualTo(6);
      assertThat(worker.isAlive()).as("worker %d alive until killed", k).isTrue();
      worker.destroyForcibly();
      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(worker.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      worker = startWorker(k);
    }

    WorkflowClient client = connection.client();
    for (Map.Entry<String, String> run : runByDeployment.entrySet()) {
      String deployment = run.getKey();
      RemediationOutcome outcome =
          client
              .newUntypedWorkflowStub(run.getValue())
              .getResult(6, TimeUnit.MINUTES, RemediationOutcome.class);

      assertThat(outcome.result()).as(deployment + ": " + outcome.detail()).isEqualTo(Phase.FIXED);
      // The run records the state from before the first attempt, not the retry's "6 -> 6".
      assertThat(outcome.actions())
          .as(deployment)
          .singleElement()
          .satisfies(a -> assertThat(a.detail()).startsWith("replicas 1 -> 6"));
      Deployment d = deployment(deployment);
      assertThat(d.getSpec().getReplicas()).as(deployment).isEqualTo(6);
      assertThat(d.getMetadata().getAnnotations())
          .as(deployment)
          .containsKey("opsflow.dev/scale-action-id")
          .containsEntry("opsflow.dev/scale-previous-replicas", "1");
      // Applied exactly once: one write to this Deployment by opsflow, whatever the retries.
      assertThat(
              requests.stream()
                  .filter(
                      r ->
                          r.byOpsflow()
                              && r.mutating()
                              && r.resource().equals("deployments")
                              && r.name().equals(deployment))
                  .count())
          .as(deployment + ": writes by opsflow")
          .isEqualTo(1);
      // The attempt that reported back was a retry: the first died with its worker.
      assertThat(scaleAttempt(client, run.getValue())).as(deployment).isGreaterThanOrEqualTo(2);
    }
  }

  private static void prepareLaggingConsumer(String deployment) {
    kubernetes.createDeployment(NS, deployment, 1, "64Mi", "128Mi");
    kafka.seedLaggingGroup(deployment, 6, deployment, 20_000, 0);
    // The consumer application: once scaled out, its consumers catch up.
    kubernetes.onRollout(
        NS,
        deployment,
        replicas -> {
          if (replicas > 1) {
            kafka.commitOffsets(deployment, deployment, EmbeddedKafka.spread(20_000, 6));
          }
        });
  }

  /** The attempt number of the ScaleDeployment attempt that completed, from the history. */
  private static int scaleAttempt(WorkflowClient client, String workflowId) {
    List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
    long scheduled = -1;
    for (HistoryEvent e : events) {
      if (e.hasActivityTaskScheduledEventAttributes()
          && e.getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals("ScaleDeployment")) {
        scheduled = e.getEventId();
      }
      if (e.hasActivityTaskStartedEventAttributes()
          && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduled) {
        return e.getActivityTaskStartedEventAttributes().getAttempt();
      }
    }
    return 0;
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
            "--temporal-address",
            temporal.target());
    builder.environment().putAll(settings);
    File log = logs.resolve("worker-" + index + ".log").toFile();
    builder.redirectErrorStream(true).redirectOutput(log);
    Process process = builder.start();
    workers.add(process);
    return process;
  }

  private static Deployment deployment(String name) {
    return kubernetes.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static int replicas(String name) {
    return deployment(name).getSpec().getReplicas();
  }
}
