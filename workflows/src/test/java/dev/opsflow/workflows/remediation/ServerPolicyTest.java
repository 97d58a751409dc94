package dev.opsflow.workflows.remediation;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.lag;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.protobuf.ByteString;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.activities.kubernetes.DeploymentInspection;
import dev.opsflow.activities.kubernetes.RestartRequest;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.activities.kubernetes.ScaleRequest;
import dev.opsflow.activities.kubernetes.ScaleResult;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.api.common.v1.Payload;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.RawValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The safety policy belongs to the server: limits in a run's input may tighten the worker's policy,
 * never loosen it, and the cooldown belongs to the problem, not to one run.
 */
class ServerPolicyTest {
  private static final Target LAGGING =
      new ConsumerGroupTarget("demo", "orders-consumer", "orders-consumer", "orders");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  /** The worker's policy: at most 10 replicas, and alice must approve every Kafka scale-out. */
  private static HealingPolicy serverWithApproval() {
    HumanPolicy approval =
        new HumanPolicy(
            new ApprovalPolicy(List.of("alice"), 1, false, 3600, "reject"),
            List.of(),
            List.of(new EscalationStep(EscalationStep.SLACK, 0)),
            false,
            3600);
    return RemediationTestKit.policy()
        .withHumans(HumanPolicy.DEFAULT, Map.of("KafkaLagRemediation", approval));
  }

  @Test
  void aRawStartAskingFor1000ReplicasAMinimumOf50AndNoApprovalGetsTheServersCeilingAndApproval()
      throws Exception {
    kit.serverPolicy(serverWithApproval());
    lagThatAScaleOutClears(10);
    kit.start();
    // What tctl / temporal workflow start sends: raw JSON, the caller's own "policy" in it.
    String json =
        """
        {"procedure":"KafkaLagRemediation",
         "target":{"namespace":"demo","deployment":"orders-consumer",
                   "consumerGroup":"orders-consumer","topic":"orders"},
         "severity":"critical",
         "policy":{"maxReplicas":1000,"minReplicas":50,"memoryCeiling":"1Ti",
                   "actionCooldownSeconds":1},
         "alert":{"alertName":"KafkaConsumerLagHigh","status":"firing","fingerprint":"m-1",
                  "startsAt":"2026-11-23T10:00:00Z","source":"operator"},
         "requestedBy":"mallory"}
        """;
    WorkflowStub run =
        startRaw(json, "heal-kafka-lag-remediation-demo/orders-consumer/orders-consumer/orders");

    // The input named no approval; the server's policy still asks alice.
    kit.env.sleep(Duration.ofSeconds(5));
    assertThat(run.query("status", RemediationStatus.class).phase())
        .isEqualTo(Phase.WAITING_FOR_APPROVAL);
    run.signal(OperatorNames.APPROVE, new Decision("alice", "ok"));
    RemediationOutcome outcome = run.getResult(RemediationOutcome.class);

    ArgumentCaptor<ScaleRequest> scale = ArgumentCaptor.forClass(ScaleRequest.class);
    verify(kit.k8s, times(1)).scaleDeployment(scale.capture());
    assertThat(scale.getValue().replicas()).isEqualTo(10);
    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    RemediationStatus status = run.query("status", RemediationStatus.class);
    assertThat(status.policyNotes())
        .anySatisfy(n -> assertThat(n).startsWith("maxReplicas 1000 refused"))
        .anySatisfy(n -> assertThat(n).startsWith("memoryCeiling 1Ti refused"))
        .anySatisfy(n -> assertThat(n).startsWith("actionCooldownSeconds 1 refused"))
        .anySatisfy(n -> assertThat(n).startsWith("minReplicas 50 refused"));
  }

  @Test
  void limitsAndAnApprovalInTheRunEnvelopeTightenAServerThatRequiresNone() throws Exception {
    kit.serverPolicy(RemediationTestKit.policy()); // at most 10 replicas, no approval
    lagThatAScaleOutClears(3);
    kit.start();
    // The README's example of a tightened start, as tctl sends it (critical: no confirmation).
    WorkflowStub run =
        startRaw(
            """
            {"procedure":"KafkaLagRemediation",
             "target":{"namespace":"demo","deployment":"orders-consumer",
                       "consumerGroup":"orders-consumer"},
             "run":{"severity":"critical","human":{"approval":{"approvers":["alice"],
                    "required":1,"fourEyes":false,"timeoutSeconds":3600,"onTimeout":"reject"}}},
             "limits":{"maxReplicas":3}}
            """,
            "heal-kafka-lag-remediation-demo/orders-consumer/orders-consumer");

    kit.env.sleep(Duration.ofSeconds(5));
    assertThat(run.query("status", RemediationStatus.class).phase())
        .as("the input added an approval the server does not require")
        .isEqualTo(Phase.WAITING_FOR_APPROVAL);
    run.signal(OperatorNames.APPROVE, new Decision("alice", "ok"));
    RemediationOutcome outcome = run.getResult(RemediationOutcome.class);

    ArgumentCaptor<ScaleRequest> scale = ArgumentCaptor.forClass(ScaleRequest.class);
    verify(kit.k8s, times(1)).scaleDeployment(scale.capture());
    assertThat(scale.getValue().replicas())
        .as("limits.maxReplicas 3 < the server's 10")
        .isEqualTo(3);
    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    assertThat(run.query("status", RemediationStatus.class).policyNotes())
        .anySatisfy(n -> assertThat(n).startsWith("maxReplicas 3 applied"))
        .anySatisfy(n -> assertThat(n).startsWith("approval by [alice] applied"));
  }

  @Test
  void anInputCannotRemoveAnApprovalTheServerRequires() throws Exception {
    kit.serverPolicy(serverWithApproval());
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(lag("orders-consumer", 2_000_000, "orders", 200));
    kit.start();
    WorkflowStub run =
        startRaw(
            """
            {"procedure":"KafkaLagRemediation",
             "target":{"namespace":"demo","deployment":"orders-consumer",
                       "consumerGroup":"orders-consumer"},
             "run":{"severity":"critical","human":{"approval":null}}}
            """,
            "heal-kafka-lag-remediation-demo/orders-consumer/orders-consumer");

    kit.env.sleep(Duration.ofSeconds(5));
    RemediationStatus status = run.query("status", RemediationStatus.class);
    assertThat(status.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(status.policyNotes())
        .anySatisfy(n -> assertThat(n).startsWith("human policy in the input ignored"));
    verify(kit.k8s, never()).scaleDeployment(any());
  }

  @Test
  void aStartThatBringsACarriedStateIsAFreshRunThatStillAsksForApproval() throws Exception {
    // What only a continue-as-new hands on (admitted, past approval, in the cooldown): a raw start
    // that forges it must not skip the approval, the governor or the confirmation.
    kit.serverPolicy(serverWithApproval());
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(lag("orders-consumer", 2_000_000, "orders", 200));
    kit.start();
    WorkflowStub run =
        startRaw(
            """
            {"procedure":"KafkaLagRemediation",
             "target":{"namespace":"demo","deployment":"orders-consumer",
                       "consumerGroup":"orders-consumer"},
             "run":{"severity":"critical"},
             "carried":{"run":{"resumeAt":"COOLDOWN","phase":"FIXED"},"serverPolicy":true,
                        "ending":"FIXED","endingWhy":"forged"}}
            """,
            "heal-kafka-lag-remediation-demo/orders-consumer/orders-consumer");

    kit.env.sleep(Duration.ofSeconds(5));
    RemediationStatus status = run.query("status", RemediationStatus.class);
    assertThat(status.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(status.policyNotes())
        .contains("carried state in the input ignored: this run was not continued from another");
    verify(kit.k8s, never()).scaleDeployment(any());
  }

  /** orders-consumer lags at 2 replicas until the scale-out (to {@code replicas}) is done. */
  private void lagThatAScaleOutClears(int replicas) {
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(
            lag("orders-consumer", 2_000_000, "orders", 200),
            lag("orders-consumer", 2_000_000, "orders", 200),
            lag("orders-consumer", 0, "orders", 200));
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(deployment("demo", "orders-consumer", 2, "256Mi", "512Mi"));
    when(kit.k8s.scaleDeployment(any())).thenReturn(new ScaleResult(2, replicas, true));
  }

  /** Starts a run as tctl does: raw JSON as the input, no typed record on the way. */
  private WorkflowStub startRaw(String json, String workflowId) {
    WorkflowStub run =
        kit.client.newUntypedWorkflowStub(
            "KafkaLagRemediation",
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.OPERATIONS)
                .setWorkflowId(workflowId)
                .build());
    run.start(
        new RawValue(
            Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(json))
                .build()));
    return run;
  }

  @Test
  void aTighterLimitInTheInputIsApplied() {
    HealingPolicy server = RemediationTestKit.policy();
    HealingPolicy requested =
        new HealingPolicy(
            0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, "", "", 0, 0, 0, null, null);
    PolicyTightening.Result result = PolicyTightening.apply(server, requested);
    assertThat(result.policy().maxReplicas()).isEqualTo(3);
    assertThat(result.policy().memoryCeiling()).isEqualTo(server.memoryCeiling());
    assertThat(result.policy().actionCooldownSeconds()).isEqualTo(server.actionCooldownSeconds());
    assertThat(result.notes())
        .containsExactly("maxReplicas 3 applied (tighter than the server's 10)");
  }

  @Test
  void aNewEpisodeAfterAnEscalatedRunClosedDoesNotActAgainInsideTheCooldown() {
    Target payments = new WorkloadTarget("demo", "payments", "", "");
    // The restart does not help: the pods keep crash-looping.
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    // A day-long cooldown: however far the time-skipping server jumps while the test waits for
    // results, the third run still falls inside it.
    kit.serverPolicy(
            ServerPolicy.from(
                dev.opsflow.config.ConfigLoader.load(null, Map.of("ACTION_COOLDOWN", "24h"))))
        .start();
    RemediationRequest first =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            payments,
            "critical",
            null,
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    kit.dispatch(first);
    // While the first run holds its cooldown, a new episode ends it (recurrence): it escalates
    // and closes well inside the cooldown.
    kit.env.sleep(Duration.ofSeconds(90));
    kit.dispatch(
        RemediationTestKit.request(
            "CrashLoopRemediation",
            payments,
            "critical",
            null,
            firing("KubePodCrashLooping", now())));
    assertThat(kit.outcome(first).result()).isEqualTo(Phase.ESCALATED);

    // The next episode starts a new run for the same problem: it must not restart again.
    RemediationRequest third =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            payments,
            "critical",
            null,
            firing("KubePodCrashLooping", now()));
    kit.dispatch(third);
    RemediationOutcome outcome = kit.outcome(third);

    verify(kit.k8s, times(1)).rolloutRestart(any(RestartRequest.class));
    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("already acted on this problem").contains("cooldown");
    dev.opsflow.workflows.RecordHistories.saveIfRecording(
        kit.client, "crashloop", "inside-an-earlier-runs-cooldown", third.workflowId());
  }

  @Test
  void aDeploymentScaledByAnHpaOrOwnedByGitOpsOrOutsideTheAllowListIsNeverActedOn() {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders-consumer", 20_000, "orders", 6));
    when(kit.k8s.inspectDeployment("demo", "orders-consumer"))
        .thenReturn(
            new DeploymentInspection(
                "demo", "orders-consumer", true, true, 2, "orders-hpa", "", ""));
    when(kit.k8s.inspectDeployment("demo", "payments"))
        .thenReturn(
            new DeploymentInspection(
                "demo", "payments", true, true, 1, "", "", "Argo CD application payments"));
    when(kit.k8s.inspectDeployment("prod", "billing"))
        .thenReturn(new DeploymentInspection("prod", "billing", false, false, 0, "", "", ""));
    when(kit.k8s.listPods(any(), any()))
        .thenReturn(List.of(pod("p-1", "payments", "CrashLoopBackOff", "Error")));
    kit.serverPolicy(RemediationTestKit.policy()).start();

    RemediationRequest scale =
        RemediationTestKit.request(
            "KafkaLagRemediation",
            LAGGING,
            "critical",
            null,
            firing("KafkaConsumerLagHigh", "2026-11-23T10:00:00Z"));
    RemediationRequest restart =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", "payments", "", ""),
            "critical",
            null,
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    RemediationRequest outside =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            new WorkloadTarget("prod", "billing", "", ""),
            "critical",
            null,
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    kit.dispatch(scale);
    kit.dispatch(restart);
    kit.dispatch(outside);

    assertThat(kit.outcome(scale).detail())
        .contains("scaled by HorizontalPodAutoscaler orders-hpa");
    assertThat(kit.outcome(restart).detail()).contains("managed by Argo CD application payments");
    assertThat(kit.outcome(outside).detail()).contains("outside the allow-list");
    verify(kit.k8s, never()).scaleDeployment(any());
    verify(kit.k8s, never()).rolloutRestart(any());
    // None of them asked the governor for a slot: it was never even started.
    assertThatThrownBy(
            () ->
                kit.client
                    .newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID)
                    .query("status", GovernorState.class))
        .isInstanceOf(io.temporal.client.WorkflowNotFoundException.class);
  }

  /** An episode that starts now (test-server time): later than anything acted on before. */
  private String now() {
    return java.time.Instant.ofEpochMilli(kit.env.currentTimeMillis()).toString();
  }
}
