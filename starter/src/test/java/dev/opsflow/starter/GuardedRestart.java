package dev.opsflow.starter;

import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.human.Supervised;
import dev.opsflow.workflows.human.ApprovalGate;
import dev.opsflow.workflows.human.FailedStep;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The smallest supervised procedure, for tests of what operators drive from outside (Slack clicks,
 * the REST API, the CLI): it asks for approval through the real {@link ApprovalGate}, or asks about
 * a failed step through the real {@link FailedStep}.
 */
@WorkflowInterface
public interface GuardedRestart extends Supervised {
  /**
   * What to ask. One JSON object, so it can be started by name with plain JSON (tctl, the REST
   * API).
   *
   * @param askAbout {@code approval}, {@code failedStep}, {@code nothing} (finish at once) or
   *     {@code fail} (fail at once)
   * @param approvers whose approvals count (four-eyes on)
   * @param requestedBy who asked for the run (null: {@code opsflow})
   */
  record Ask(String askAbout, List<String> approvers, int required, String requestedBy) {
    public Ask(String askAbout, List<String> approvers, int required) {
      this(askAbout, approvers, required, null);
    }

    public ApprovalPolicy policy() {
      return new ApprovalPolicy(
          approvers == null ? List.of() : approvers,
          Math.max(1, required),
          true,
          3600,
          ApprovalPolicy.ESCALATE);
    }
  }

  @WorkflowMethod
  String run(Ask ask);

  @QueryMethod
  ApprovalStatus approval();

  /**
   * A started test environment in real time (the gate's timers must not be skipped while a human's
   * decision is on its way) with this workflow's worker on {@code queue}.
   */
  static TestWorkflowEnvironment realTimeEnvironment(String queue) {
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    env.newWorker(queue).registerWorkflowImplementationTypes(Impl.class);
    env.start();
    return env;
  }

  /** Starts a run on {@code queue} that waits for a human; its workflow ID. */
  static String start(
      WorkflowClient client, String queue, String askAbout, List<String> approvers, int required) {
    String id = "guarded-restart-" + UUID.randomUUID();
    GuardedRestart run =
        client.newWorkflowStub(
            GuardedRestart.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queue).build());
    WorkflowClient.start(run::run, new Ask(askAbout, approvers, required));
    return id;
  }

  public static class Impl implements GuardedRestart {
    private final ApprovalGate gate;
    private final List<ActionRecord> history = new ArrayList<>();
    private FailedStep failed;
    private String cancelledBy = "";

    @WorkflowInit
    public Impl(Ask ask) {
      gate =
          new ApprovalGate(
              "restart demo/orders-consumer",
              ask.requestedBy() == null ? "opsflow" : ask.requestedBy(),
              ask.policy());
    }

    @Override
    public String run(Ask ask) {
      try {
        if ("nothing".equals(ask.askAbout())) {
          return "DONE";
        }
        if ("fail".equals(ask.askAbout())) {
          throw ApplicationFailure.newNonRetryableFailure("restart refused by the cluster", "Test");
        }
        if ("failedStep".equals(ask.askAbout())) {
          failed = new FailedStep("restart_pod", "Forbidden: pods is forbidden", false, 3600);
          return failed.await().name();
        }
        return gate.await().name();
      } catch (CanceledFailure e) {
        cancelledBy = CancellationScope.current().getCancellationReason();
        throw e;
      }
    }

    @Override
    public void approve(Decision decision) {
      gate.approve(decision);
    }

    @Override
    public void reject(Decision decision) {
      gate.reject(decision);
    }

    @Override
    public ApprovalStatus approveChecked(Decision decision) {
      gate.approve(decision);
      return gate.status();
    }

    @Override
    public void validateApprove(Decision decision) {
      gate.validate(decision);
    }

    @Override
    public ApprovalStatus rejectChecked(Decision decision) {
      gate.reject(decision);
      return gate.status();
    }

    @Override
    public void validateReject(Decision decision) {
      gate.validate(decision);
    }

    @Override
    public void retryStep(Decision decision) {
      answer(FailedStep.Answer.RETRY, decision);
    }

    @Override
    public void skipStep(Decision decision) {
      answer(FailedStep.Answer.SKIP, decision);
    }

    @Override
    public void failStep(Decision decision) {
      answer(FailedStep.Answer.FAIL, decision);
    }

    private void answer(FailedStep.Answer given, Decision decision) {
      if (failed != null) {
        var record = failed.answer(given, decision);
        history.add(
            new ActionRecord(
                given.name().toLowerCase(),
                "demo/orders-consumer",
                record.atMillis(),
                record.ignoredBecause().isEmpty(),
                "by " + record.by() + " " + record.ignoredBecause()));
      }
    }

    @Override
    public void acknowledge(Decision decision) {
      history.add(
          new ActionRecord(
              "acknowledge",
              "demo/orders-consumer",
              Workflow.currentTimeMillis(),
              true,
              "by " + decision.by()));
    }

    @Override
    public Progress progress() {
      List<HumanTask> waiting = new ArrayList<>();
      if (failed != null && !failed.answered()) {
        waiting.add(failed.task());
      } else if (failed == null && gate.pending()) {
        waiting.add(gate.task());
      }
      return new Progress(
          "GuardedRestart",
          "demo/orders-consumer",
          "high",
          failed != null ? "STEP_FAILED" : gate.status().state().name(),
          "",
          0,
          history,
          waiting,
          cancelledBy);
    }

    @Override
    public ApprovalStatus approval() {
      return gate.status();
    }
  }
}
