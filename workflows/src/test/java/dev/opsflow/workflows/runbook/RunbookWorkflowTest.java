package dev.opsflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.PlannedAction;
import dev.opsflow.contracts.runbook.RunbookEvent;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookStatus;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord.StepOutcome;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interpreter's steps and transitions against an in-memory world: check, decision, action,
 * notify, approval through the server's policy, dry run, test-mode failures, pinning, events and
 * the critical page. What was done to which target and how many times, and what the status shows.
 * Saves the main paths' histories when recording is asked for (-Dopsflow.recordHistories=true).
 */
class RunbookWorkflowTest extends RunbookTestKit {
  // ---- check, decision, action, notify; transitions ----

  @Test
  void overloadedServiceIsScaledOutByTheDecisionsBranchAndTheTeamIsTold() {
    scriptHighErrorRate(0.2, 800);
    start(shipped("high-error-rate"), ORDERS);
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(taken(done))
        .containsExactly(
            "error-ratio", "traffic", "overload-or-bad-pods", "scale-out", "tell-the-team");
    assertThat(record(done, "overload-or-bad-pods").result()).isEqualTo("overloaded");
    assertThat(world.mutations())
        .containsExactly(
            "act kubernetes.scale {deployment=orders, namespace=demo, replicas=5}",
            "notify SLACK orders: 5xx ratio was 0.2; opsflow acted.");
    RunbookStatus status = running().status();
    assertThat(status.version()).isEqualTo("1.0.1");
    assertThat(status.sha256()).isEqualTo(shipped("high-error-rate").sha256());
    @SuppressWarnings("unchecked")
    Map<String, Object> steps = (Map<String, Object>) status.context().get("steps");
    assertThat(steps).containsKeys("error-ratio", "traffic", "scale-out");
    assertThat((Map<String, Object>) steps.get("error-ratio")).containsEntry("result", 0.2);
    save("high-error-rate-scaled-out");
  }

  @Test
  void normalTrafficTakesTheOtherwiseBranchAndRestarts() {
    scriptHighErrorRate(0.2, 100);
    start(shipped("high-error-rate"), ORDERS);
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(record(done, "overload-or-bad-pods").result()).isEqualTo("otherwise");
    // traffic's condition fails, and its onFailure goes on to the decision all the same
    assertThat(record(done, "traffic").outcome()).isEqualTo(StepOutcome.FAILED);
    assertThat(world.callsOf("act "))
        .containsExactly("act kubernetes.rolloutRestart {deployment=orders, namespace=demo}");
  }

  @Test
  void aFailedActionTakesItsOnFailureTransitionAndPages() {
    scriptHighErrorRate(0.2, 100);
    world.failingActions.put("kubernetes.rolloutRestart", "ForbiddenTarget");
    start(shipped("high-error-rate"), ORDERS);
    RunbookResult done = result();

    assertThat(taken(done)).endsWith("restart", "page");
    assertThat(record(done, "restart").detail()).contains("ForbiddenTarget");
    assertThat(record(done, "restart").next()).isEqualTo("page");
    assertThat(world.callsOf("act ")).hasSize(1);
    assertThat(world.callsOf("notify "))
        .containsExactly("notify PAGERDUTY orders: high error rate and the remediation failed");
  }

  @Test
  void aFailedCheckWithNowhereToGoFailsTheRunAndTellsHumansWhy() {
    scriptHighErrorRate(0.01, 100);
    start(shipped("high-error-rate"), ORDERS);
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.FAILED);
    assertThat(done.failure()).contains("error-ratio", "result > errorThreshold does not hold");
    assertThat(world.mutations()).isEmpty();
    assertThat(world.slack).anySatisfy(m -> assertThat(m).contains("error-ratio", "failed"));
    assertThat(running().status().phase()).isEqualTo(RunbookPhase.FAILED);
    save("high-error-rate-check-failed");
  }

  @Test
  void simulatedFailuresTakeTheFailurePathWithoutRunningTheStep() {
    scriptHighErrorRate(0.2, 100);
    start(shipped("high-error-rate"), ORDERS, false, List.of("restart"));
    RunbookResult done = result();

    assertThat(record(done, "restart").outcome()).isEqualTo(StepOutcome.FAILED);
    assertThat(record(done, "restart").detail()).contains("simulated");
    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(world.callsOf("notify ")).singleElement().asString().startsWith("notify PAGERDUTY");
  }

  @Test
  void anUnknownStepInSimulateFailuresIsRefusedBeforeAnythingRuns() {
    start(shipped("high-error-rate"), ORDERS, false, List.of("no-such-step"));

    assertThatThrownBy(this::result)
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("simulateFailures")
        .hasMessageContaining("no-such-step");
    assertThat(world.calls).isEmpty();
  }

  // ---- dry run ----

  @Test
  void aDryRunReadsButReportsEveryActionWithItsParametersInsteadOfTakingIt() {
    scriptHighErrorRate(0.2, 800);
    world.subscribers = List.of("hooks");
    start(shipped("high-error-rate"), ORDERS, true, List.of());
    RunbookResult done = result();

    assertThat(done.dryRun()).isTrue();
    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(world.mutations()).isEmpty();
    assertThat(world.callsOf("probe ")).hasSize(2);
    assertThat(world.delivered).isEmpty();
    assertThat(world.pages).isEmpty();
    assertThat(done.plan())
        .extracting(PlannedAction::stepId, PlannedAction::operation)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("scale-out", "kubernetes.scale"),
            org.assertj.core.groups.Tuple.tuple("tell-the-team", "notify.slack"));
    assertThat(done.plan().get(0).parameters())
        .containsEntry("replicas", 5)
        .containsEntry("deployment", "orders");
    assertThat(record(done, "scale-out").outcome()).isEqualTo(StepOutcome.PLANNED);
    save("high-error-rate-dry-run");
  }

  @Test
  void aDryRunOfAFailingCheckFailsButTellsNobody() {
    scriptHighErrorRate(0.01, 100);
    start(shipped("high-error-rate"), ORDERS, true, List.of());
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.FAILED);
    assertThat(world.slack).isEmpty();
    assertThat(world.mutations()).isEmpty();
  }

  // ---- the server's policy ----

  @Test
  void anActionInANamespaceTheServerGatesWaitsForTheServersApprovers() {
    world.runbookHumans = FakeRunbookWorld.approvalIn("demo");
    scriptHighErrorRate(0.2, 800);
    RunbookWorkflow run = start(shipped("high-error-rate"), ORDERS);
    waitFor(s -> s.phase() == RunbookPhase.WAITING_FOR_HUMAN);
    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(run.progress().waitingFor().get(0).action()).contains("kubernetes.scale");
    run.approveChecked(new Decision("alice", "ok"));
    result();

    assertThat(world.callsOf("act ")).hasSize(1);
  }

  // ---- pinning, events, critical ----

  private static final String PINNED =
      """
      id: pinned
      name: Pinned
      version: "%s"
      tags: [critical]
      startWith: pause
      steps:
        - id: pause
          type: wait
          duration: 10m
          onSuccess: scale
        - id: scale
          type: action
          action: kubernetes.scale
          parameters: { namespace: demo, deployment: orders, replicas: %d }
      """;

  @Test
  void editingTheFileDuringARunDoesNotChangeIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pinned.yaml");
    Files.writeString(file, PINNED.formatted("1", 3));
    PinnedRunbook v1 = valid(RunbookLoader.read(file));
    start(v1, Map.of());
    waitFor(s -> s.currentStep().equals("pause"));

    Files.writeString(file, PINNED.formatted("2", 7));
    PinnedRunbook v2 = valid(RunbookLoader.read(file));
    assertThat(v2.sha256()).isNotEqualTo(v1.sha256());
    RunbookResult done = result();

    assertThat(world.callsOf("act "))
        .containsExactly("act kubernetes.scale {deployment=orders, namespace=demo, replicas=3}");
    assertThat(done.version()).isEqualTo("1");
    assertThat(done.sha256()).isEqualTo(v1.sha256());
    assertThat(running().status().sha256()).isEqualTo(v1.sha256());
  }

  @Test
  void everyEventIsDeliveredOnceInOrderAndKeptInTheStatus() {
    world.subscribers = List.of("hooks");
    start(inline(PINNED.formatted("1", 3)), Map.of());
    result();
    List<RunbookEvent> kept = running().status().events();

    assertThat(world.delivered).containsExactlyElementsOf(kept);
    assertThat(kept)
        .extracting(RunbookEvent::type)
        .containsExactly(
            RunbookEvent.EXECUTION_STARTED,
            RunbookEvent.STEP_STARTED,
            RunbookEvent.STEP_SUCCEEDED,
            RunbookEvent.STEP_STARTED,
            RunbookEvent.STEP_SUCCEEDED,
            RunbookEvent.EXECUTION_COMPLETED);
    assertThat(kept).extracting(RunbookEvent::sequence).containsExactly(1, 2, 3, 4, 5, 6);
    save("pinned-critical-events");
  }

  @Test
  void aCriticalRunbookPagesOnStartAndResolvesOnSuccess() {
    start(inline(PINNED.formatted("1", 3)), Map.of());
    result();

    String key = "runbook/" + workflowId;
    assertThat(world.pages).containsExactly("trigger " + key, "resolve " + key);
  }

  @Test
  void cancellingARunEndsItCancelledAndSaysSo() {
    world.subscribers = List.of("hooks");
    start(inline(PINNED.formatted("1", 3)), Map.of());
    waitFor(s -> s.currentStep().equals("pause"));
    WorkflowStub.fromTyped(running()).cancel();

    assertThatThrownBy(this::result).isInstanceOf(WorkflowFailedException.class);
    assertThat(world.callsOf("act ")).isEmpty();
    RunbookStatus status = running().status();
    assertThat(status.phase()).isEqualTo(RunbookPhase.CANCELLED);
    assertThat(status.events())
        .last()
        .satisfies(e -> assertThat(e.type()).isEqualTo(RunbookEvent.EXECUTION_FAILED));
    assertThat(world.delivered)
        .extracting(RunbookEvent::type)
        .endsWith(RunbookEvent.EXECUTION_FAILED);
    save("pinned-cancelled-while-waiting");
  }
}
