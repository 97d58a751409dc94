package dev.opsflow.worker.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes API server becomes unreachable while a crash-loop remediation is about to restart
 * the Deployment: opsflow's link to it (a {@link TcpRelay} in front of the fabric8 mock server in
 * CRUD mode) is cut, while the cluster itself (the sandbox controller) keeps running.
 *
 * <p>The restart runs under {@code KubernetesOptions.MUTATING_K8S}: at most 4 attempts, 2 s
 * doubling to 30 s, within 3 minutes.
 */
class KubernetesOutageIT {
  private static final String NS = "demo";
  private static final String DEPLOYMENT = KubernetesSandbox.CRASH_LOOP;
  private static final String RESTART_ACTION = "opsflow.dev/restart-action-id";

  private KubernetesSandbox kubernetes;
  private TcpRelay apiServer;
  private OutageStage stage;
  private final List<ApiRequest> writesByOpsflow = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedDemo(NS);
    kubernetes.onRequest(
        r -> {
          if (r.byOpsflow() && r.mutating() && r.name().equals(DEPLOYMENT)) {
            writesByOpsflow.add(r);
          }
        });
    apiServer = TcpRelay.to(kubernetes.server().getPort());
    Path dir = Files.createTempDirectory("k8s-outage-it");
    Path kubeconfig = kubernetes.writeKubeconfig(dir);
    Files.writeString(
        kubeconfig,
        Files.readString(kubeconfig)
            .replace(kubernetes.url(), "http://127.0.0.1:" + apiServer.port()));
    stage =
        new OutageStage(
            Map.of("KUBECONFIG", kubeconfig.toString(), "KUBERNETES_ALLOWED_NAMESPACES", NS),
            UnaryOperator.identity());
  }

  @AfterEach
  void stop() throws Exception {
    stage.close();
    apiServer.close();
    kubernetes.close();
  }

  private static RemediationRequest crashLoop() {
    return new RemediationRequest(
        "CrashLoopRemediation",
        new WorkloadTarget(NS, DEPLOYMENT, "", ""),
        new RunEnvelope(
            "critical",
            OutageStage.firing("KubePodCrashLooping"),
            RemediationRequest.AUTOMATON,
            null),
        null,
        null);
  }

  private Map<String, String> templateAnnotations() {
    Map<String, String> annotations =
        kubernetes
            .client()
            .apps()
            .deployments()
            .inNamespace(NS)
            .withName(DEPLOYMENT)
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  @Test
  void aLinkCutWhileTheRestartIsInFlightHealsAndTheRestartIsAppliedOnce() {
    // The API server stores the restart, then the link drops before its answer reaches opsflow:
    // the worst moment, where a retry that did not check first would restart twice.
    kubernetes.holdFirstAnswer(
        r -> r.byOpsflow() && r.mutating() && r.name().equals(DEPLOYMENT),
        Duration.ofSeconds(5),
        held -> apiServer.cut());
    stage.script.before("RolloutRestart", 1, 3, apiServer::restore);
    RemediationRequest request = crashLoop();

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(stage.attempts(request.workflowId(), "RolloutRestart"))
        .as("failed twice while the link was down, succeeded on the third attempt")
        .containsExactly(3);
    assertThat(writesByOpsflow).as("one restart written, never a second").hasSize(1);
    assertThat(templateAnnotations())
        .containsKey(RESTART_ACTION)
        .containsKey("kubectl.kubernetes.io/restartedAt");
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.action()).isEqualTo("rollout_restart");
              assertThat(a.success()).isTrue();
            });
    assertThat(stage.pagerDutyEvents).as("fixed without paging anyone").isEmpty();
    stage.awaitSlotReleased(request.workflowId());
  }

  @Test
  void anApiServerAwayPastTheRetryBudgetEscalatesWithTheReasonAndChangesNothing() {
    stage.script.before("RolloutRestart", 1, 1, apiServer::cut);
    RemediationRequest request = crashLoop();

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.ESCALATED);
    assertThat(stage.attempts(request.workflowId(), "RolloutRestart"))
        .as("every attempt of MUTATING_K8S, then no more")
        .containsExactly(4);
    String why = "the Kubernetes API server did not answer";
    assertThat(outcome.detail())
        .startsWith("rollout restart of demo/payments failed: ")
        .contains(why)
        .contains("[KubernetesUnavailable]");
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.success()).isFalse();
              assertThat(a.detail()).contains(why).contains("[KubernetesUnavailable]");
            });
    assertThat(writesByOpsflow).as("nothing written to the Deployment").isEmpty();
    assertThat(templateAnnotations()).doesNotContainKey(RESTART_ACTION);
    assertThat(stage.slackTexts)
        .anySatisfy(
            t ->
                assertThat(t)
                    .contains(request.workflowId())
                    .contains("rollout restart of demo/payments failed")
                    .contains(why));
    assertThat(stage.pagerDutyEvents)
        .anySatisfy(
            e -> {
              assertThat(e.path("dedup_key").asText()).isEqualTo(request.workflowId());
              assertThat(e.path("event_action").asText()).isEqualTo("trigger");
            });
    stage.awaitSlotReleased(request.workflowId());
  }
}
