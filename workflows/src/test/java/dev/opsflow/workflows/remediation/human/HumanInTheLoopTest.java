package dev.opsflow.workflows.remediation.human;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The human parts of a remediation: approval before acting, asking a human when an action failed,
 * the escalation ladder, and cancellation. Decisions are sent from inside the activity mocks (at
 * the moment the workflow tells a human), because a test thread that polls a time-skipping server
 * lets time jump to the next timer.
 */
class HumanInTheLoopTest {
  private static final Target TARGET = new WorkloadTarget("prod", "payments", "", "");
  private static final String PROCEDURE = "CrashLoopRemediation";
  private final RemediationTestKit kit = new RemediationTestKit();
  private final List<String> slackTexts = new ArrayList<>();

  @AfterEach
  void close() {
    kit.close();
  }

  private void crashLoopingThenHealthy() {
    when(kit.k8s.listPods("prod", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("prod", "payments", 1, "256Mi", "512Mi"));
  }

  private static HealingPolicy withHumans(HumanPolicy human) {
    return RemediationTestKit.policy().withHumans(HumanPolicy.DEFAULT, Map.of(PROCEDURE, human));
  }

  private static HumanPolicy approvalBy(
      List<String> approvers, int required, long timeoutSeconds, String onTimeout) {
    return new HumanPolicy(
        new ApprovalPolicy(approvers, required, true, timeoutSeconds, onTimeout),
        List.of("prod"),
        List.of(new EscalationStep(EscalationStep.SLACK, 0)),
        false,
        3600);
  }

  private RemediationRequest request(HealingPolicy policy, String requestedBy) {
    return new RemediationRequest(
        PROCEDURE,
        TARGET,
        new RunEnvelope(
            "critical", firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"), requestedBy, null),
        null,
        policy);
  }

  private WorkflowStub stub(RemediationRequest request) {
    return kit.client.newUntypedWorkflowStub(request.workflowId());
  }

  /** Runs {@code onAsk} when the workflow posts its approval request / question to Slack. */
  private void whenSlackAsks(String contains, Runnable onAsk) {
    when(kit.notify.postSlack(any()))
        .thenAnswer(
            inv -> {
              SlackMessage m = inv.getArgument(0);
              slackTexts.add(m.text());
              if (m.text().contains(contains)) {
                onAsk.run();
              }
              return new SlackPosted("C1", "1700000000." + slackTexts.size(), false);
            });
  }

  @Test
  void approvalGrantedThroughTheUpdateThenTheProcedureActs() {
    crashLoopingThenHealthy();
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice", "bob"), 1, 4 * 3600, "escalate")), "");
    AtomicReference<ApprovalStatus> answer = new AtomicReference<>();
    whenSlackAsks(
        "asks for approval",
        () ->
            answer.set(
                stub(request)
                    .update(
                        OperatorNames.APPROVE,
                        ApprovalStatus.class,
                        new Decision("alice", "go ahead"))));
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
    assertThat(answer.get().state().name()).isEqualTo("APPROVED");
    assertThat(answer.get().approvers()).containsExactly("alice", "bob");
    ArgumentCaptor<SlackUpdate> update = ArgumentCaptor.forClass(SlackUpdate.class);
    verify(kit.notify).updateSlack(update.capture());
    assertThat(update.getValue().text()).startsWith("Approved by alice (go ahead)");
    assertThat(kit.status(request).decisions())
        .extracting(ApprovalRecord::by, ApprovalRecord::ignoredBecause)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", ""));
    RecordHistories.saveIfRecording(
        kit.client, "crashloop", "approved-then-restarted", request.workflowId());
  }

  @Test
  void rejectedApprovalDoesNothingAndSaysWhoRejected() {
    crashLoopingThenHealthy();
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice"), 1, 4 * 3600, "escalate")), "");
    whenSlackAsks(
        "asks for approval",
        () ->
            stub(request).signal(OperatorNames.REJECT, new Decision("alice", "deploy in flight")));
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.REJECTED);
    assertThat(outcome.detail()).contains("Rejected by alice (deploy in flight)");
    verify(kit.k8s, never()).rolloutRestart(any());
  }

  @Test
  void unauthorizedApproverIsRefusedByTheUpdateAndIgnoredAsASignalThenTheTimeoutEscalates() {
    crashLoopingThenHealthy();
    long twoDays = Duration.ofDays(2).toSeconds();
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice"), 1, twoDays, "escalate")), "");
    AtomicReference<Throwable> refused = new AtomicReference<>();
    whenSlackAsks(
        "asks for approval",
        () -> {
          try {
            stub(request)
                .update(OperatorNames.APPROVE, ApprovalStatus.class, new Decision("mallory", ""));
          } catch (WorkflowUpdateException e) {
            refused.set(e);
          }
          stub(request).signal(OperatorNames.APPROVE, new Decision("mallory", "trust me"));
        });
    kit.start();
    long started = kit.env.currentTimeMillis();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(refused.get()).isNotNull();
    assertThat(rootMessage(refused.get())).contains("mallory is not an approver");
    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("nobody approved");
    assertThat(kit.env.currentTimeMillis() - started).isGreaterThanOrEqualTo(twoDays * 1000);
    verify(kit.k8s, never()).rolloutRestart(any());
    RemediationStatus status = kit.status(request);
    assertThat(status.decisions())
        .filteredOn(d -> d.by().equals("mallory"))
        .singleElement()
        .satisfies(d -> assertThat(d.ignoredBecause()).contains("not an approver"));
  }

  @Test
  void approvalThatNobodyGivesWithinDaysIsRejectedWhenThePolicySaysSo() {
    crashLoopingThenHealthy();
    long threeDays = Duration.ofDays(3).toSeconds();
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice"), 1, threeDays, "reject")), "");
    whenSlackAsks("asks for approval", () -> {});
    kit.start();
    long started = kit.env.currentTimeMillis();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.REJECTED);
    assertThat(kit.env.currentTimeMillis() - started).isGreaterThanOrEqualTo(threeDays * 1000);
    verify(kit.k8s, never()).rolloutRestart(any());
  }

  @Test
  void requesterCannotApproveTheirOwnRunUnderFourEyes() {
    crashLoopingThenHealthy();
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice", "bob"), 1, 3600, "reject")), "alice");
    AtomicReference<Throwable> refused = new AtomicReference<>();
    whenSlackAsks(
        "asks for approval",
        () -> {
          try {
            stub(request)
                .update(OperatorNames.APPROVE, ApprovalStatus.class, new Decision("alice", ""));
          } catch (WorkflowUpdateException e) {
            refused.set(e);
          }
          stub(request)
              .update(OperatorNames.APPROVE, ApprovalStatus.class, new Decision("bob", ""));
        });
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(rootMessage(refused.get())).contains("alice requested this").contains("four-eyes");
    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
  }

  @Test
  void approvalOnlyAppliesInItsNamespaces() {
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    kit.start();
    RemediationRequest request =
        new RemediationRequest(
            PROCEDURE,
            new WorkloadTarget("demo", "payments", "", ""),
            new RunEnvelope(
                "critical", firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"), "", null),
            null,
            withHumans(approvalBy(List.of("alice"), 1, 3600, "reject")));
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.FIXED);
    verify(kit.notify, never()).postSlack(any());
  }

  @Test
  void failedActionAsksAHumanPagesAfterTheDelayAndResolvesThePageWhenTheRetryFixesIt() {
    crashLoopingThenHealthy();
    when(kit.k8s.rolloutRestart(any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("API said 500", "Unavailable"))
        .thenReturn(new RestartResult("t", true));
    HumanPolicy ask =
        new HumanPolicy(
            null,
            List.of(),
            List.of(
                new EscalationStep(EscalationStep.SLACK, 0),
                new EscalationStep(EscalationStep.PAGERDUTY, 900)),
            true,
            4 * 3600);
    RemediationRequest request = request(withHumans(ask), "");
    List<PagerDutyEvent> pages = new ArrayList<>();
    AtomicReference<Progress> whileWaiting = new AtomicReference<>();
    whenSlackAsks("failed after its retries", () -> {});
    when(kit.notify.pagerDuty(any()))
        .thenAnswer(
            inv -> {
              PagerDutyEvent e = inv.getArgument(0);
              pages.add(e);
              if (e.eventAction().equals("trigger")) {
                whileWaiting.set(stub(request).query(OperatorNames.PROGRESS, Progress.class));
                stub(request).signal(OperatorNames.RETRY_STEP, new Decision("oncall-olga", ""));
              }
              return new PagerDutyResult("success", e.dedupKey());
            });
    kit.start();
    long started = kit.env.currentTimeMillis();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(2)).rolloutRestart(any());
    assertThat(pages).extracting(PagerDutyEvent::eventAction).containsExactly("trigger", "resolve");
    assertThat(pages).extracting(PagerDutyEvent::dedupKey).containsOnly(request.workflowId());
    assertThat(kit.env.currentTimeMillis() - started).isGreaterThanOrEqualTo(900_000);
    HumanTask task = whileWaiting.get().waitingFor().get(0);
    assertThat(whileWaiting.get().phase()).isEqualTo("WAITING_FOR_DECISION");
    assertThat(task.kind()).isEqualTo(HumanTask.FAILED_STEP);
    assertThat(task.detail()).contains("API said 500");
    assertThat(task.choices()).containsExactly("retryStep", "failStep");
    assertThat(outcome.actions()).extracting(a -> a.success()).containsExactly(false, true);
    RecordHistories.saveIfRecording(
        kit.client, "crashloop", "failed-then-retried-by-human", request.workflowId());
  }

  @Test
  void skipIsRefusedWhereTheStepDoesNotAllowItAndFailEscalates() {
    crashLoopingThenHealthy();
    when(kit.k8s.rolloutRestart(any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("API said 500", "Unavailable"));
    HumanPolicy ask =
        new HumanPolicy(
            null, List.of(), List.of(new EscalationStep(EscalationStep.SLACK, 0)), true, 3600);
    RemediationRequest request = request(withHumans(ask), "");
    whenSlackAsks(
        "failed after its retries",
        () -> {
          stub(request).signal(OperatorNames.SKIP_STEP, new Decision("bob", ""));
          stub(request).signal(OperatorNames.FAIL_STEP, new Decision("bob", "needs a code fix"));
        });
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
    assertThat(kit.status(request).decisions())
        .extracting(ApprovalRecord::ignoredBecause)
        .containsExactly(
            "rollout_restart on prod/payments cannot be skipped: answer retryStep or failStep", "");
  }

  @Test
  void cancellationRecordsWhoCancelledAndCleansUp() {
    crashLoopingThenHealthy();
    RemediationRequest request =
        request(withHumans(approvalBy(List.of("alice"), 1, 4 * 3600, "escalate")), "");
    whenSlackAsks("asks for approval", () -> {});
    // Half an hour into the wait for approval (workflow time), as an operator would.
    kit.env.registerDelayedCallback(
        Duration.ofMinutes(30),
        () -> stub(request).cancel("cancelled by carol via opsflow CLI: maintenance window"));
    kit.start();
    kit.dispatch(request);

    assertThatThrownBy(() -> kit.outcome(request))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    RemediationStatus status = kit.status(request);
    assertThat(status.phase()).isEqualTo(Phase.CANCELLED);
    assertThat(status.cancelledBy())
        .isEqualTo("cancelled by carol via opsflow CLI: maintenance window");
    assertThat(slackTexts).last().asString().contains("was cancelled").contains("carol");
    verify(kit.k8s, never()).rolloutRestart(any());
    var attributes = stub(request).describe().getTypedSearchAttributes();
    assertThat(attributes.get(OpsflowSearchAttributes.PHASE)).isEqualTo("CANCELLED");
    assertThat(attributes.get(OpsflowSearchAttributes.PROCEDURE)).isEqualTo(PROCEDURE);
    assertThat(attributes.get(OpsflowSearchAttributes.TARGET)).isEqualTo("prod/payments");
    RecordHistories.saveIfRecording(
        kit.client, "crashloop", "cancelled-while-waiting-for-approval", request.workflowId());
  }

  @Test
  void cancellingAfterTheActionGivesTheGovernorSlotBackAndResolvesThePage() {
    crashLoopingThenHealthy();
    HumanPolicy ask =
        new HumanPolicy(
            null, List.of(), List.of(new EscalationStep(EscalationStep.PAGERDUTY, 0)), true, 3600);
    RemediationRequest request = request(withHumans(ask), "");
    when(kit.k8s.rolloutRestart(any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("API said 500", "Unavailable"));
    List<PagerDutyEvent> pages = new ArrayList<>();
    AtomicReference<GovernorState> governorWhileActing = new AtomicReference<>();
    when(kit.notify.pagerDuty(any()))
        .thenAnswer(
            inv -> {
              PagerDutyEvent e = inv.getArgument(0);
              pages.add(e);
              if (e.eventAction().equals("trigger")) {
                governorWhileActing.set(governor().query("status", GovernorState.class));
              }
              return new PagerDutyResult("success", e.dedupKey());
            });
    kit.env.registerDelayedCallback(
        Duration.ofMinutes(10), () -> stub(request).cancel("cancelled by dave via REST API"));
    kit.start();
    kit.dispatch(request);

    assertThatThrownBy(() -> kit.outcome(request)).isInstanceOf(WorkflowFailedException.class);

    assertThat(governorWhileActing.get().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .containsExactly(request.workflowId());
    assertThat(governor().query("status", GovernorState.class).inFlight()).isEmpty();
    assertThat(pages).extracting(PagerDutyEvent::eventAction).containsExactly("trigger", "resolve");
    assertThat(kit.status(request).cancelledBy()).isEqualTo("cancelled by dave via REST API");
  }

  private WorkflowStub governor() {
    return kit.client.newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
