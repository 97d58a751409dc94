package dev.opsflow.workflows.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.run.RunEnvelope;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel is not remediation-shaped: a small three-step procedure of another family (fence,
 * switch, verify, as a failover would) registers each undo before its step, and a failure, a
 * rejection or a cancellation runs the undos newest first, in a detached scope.
 */
class KernelCarriesOtherFamiliesTest {
  /** The procedure's side effects: each step and each undo is an activity. */
  @ActivityInterface
  public interface DrillActivities {
    String apply(String step);

    void undo(String step);
  }

  @WorkflowInterface
  public interface Drill {
    /**
     * @param failAt the step that fails ("" = none)
     */
    @WorkflowMethod
    String run(String failAt, boolean needsApproval);

    @SignalMethod(name = OperatorNames.REJECT)
    void reject(Decision decision);

    @QueryMethod
    String phase();
  }

  public static class DrillImpl implements Drill {
    private final DrillActivities drill =
        Workflow.newActivityStub(
            DrillActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(5))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    private final ProcedureRun run = new ProcedureRun("RECEIVED", (step, target, ok) -> {});

    @Override
    public String run(String failAt, boolean needsApproval) {
      run.begin(
          new ProcedureRun.Identity(
              "Drill", "db-1", new RunEnvelope("high", null, "opsflow", null)),
          new HumanPolicy(
              null, List.of(), List.of(new EscalationStep(EscalationStep.SLACK, 0)), false, 60));
      try {
        for (String step : List.of("fence", "switch", "verify")) {
          if (step.equals("switch") && needsApproval) {
            ApprovalResult result =
                run.approval(
                    "WAITING_FOR_APPROVAL",
                    "switch db-1",
                    new ApprovalPolicy(List.of("alice"), 1, false, 3600, "reject"),
                    () -> false);
            if (result != ApprovalResult.APPROVED) {
              run.compensation().run("rejected");
              run.enter("REJECTED", "rejected");
              return "REJECTED";
            }
          }
          // Registered before the step, so a step that half happened is undone too.
          run.compensation().register(step, () -> drill.undo(step));
          Optional<String> done =
              run.step(
                  "ACTING",
                  "WAITING_FOR_DECISION",
                  step,
                  "db-1",
                  () -> drill.apply(step.equals(failAt) ? "fail:" + step : step),
                  r -> r,
                  Optional.empty(),
                  () -> false);
          if (done.isEmpty()) {
            run.compensation().run(step + " failed");
            run.enter("ROLLED_BACK", step + " failed");
            return "ROLLED_BACK";
          }
          if (step.equals("verify")) {
            Workflow.sleep(Duration.ofHours(1)); // holds, as a rollout's pause would
          }
        }
        run.enter("DONE", "all steps done");
        return "DONE";
      } catch (CanceledFailure e) {
        run.cancelled("CANCELLED");
        throw e;
      }
    }

    @Override
    public void reject(Decision decision) {
      run.decide(decision, false);
    }

    @Override
    public String phase() {
      return run.phase();
    }
  }

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker("drill");
    worker.registerWorkflowImplementationTypes(DrillImpl.class);
    worker.registerActivitiesImplementations(
        new DrillActivities() {
          @Override
          public String apply(String step) {
            calls.add("apply " + step);
            if (step.startsWith("fail:")) {
              throw ApplicationFailure.newNonRetryableFailure("it broke", "Broken");
            }
            return step + " done";
          }

          @Override
          public void undo(String step) {
            calls.add("undo " + step);
          }
        },
        new QuietNotifications());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private Drill drill(String id) {
    return client.newWorkflowStub(
        Drill.class, WorkflowOptions.newBuilder().setTaskQueue("drill").setWorkflowId(id).build());
  }

  @Test
  void aFailedStepUndoesTheStepsBeforeItNewestFirst() {
    assertThat(drill("fail").run("verify", false)).isEqualTo("ROLLED_BACK");
    assertThat(calls)
        .containsExactly(
            "apply fence",
            "apply switch",
            "apply fail:verify",
            "undo verify",
            "undo switch",
            "undo fence");
  }

  @Test
  void aRejectionUndoesWhatWasDoneBeforeTheGate() {
    Drill drill = drill("reject");
    WorkflowClient.start(drill::run, "", true);
    env.sleep(Duration.ofSeconds(5));
    client
        .newUntypedWorkflowStub("reject")
        .signal(OperatorNames.REJECT, new Decision("alice", "no"));
    assertThat(client.newUntypedWorkflowStub("reject").getResult(String.class))
        .isEqualTo("REJECTED");
    assertThat(calls).containsExactly("apply fence", "undo fence");
  }

  @Test
  void aCancellationUndoesEveryStepInADetachedScope() {
    Drill drill = drill("cancel");
    WorkflowClient.start(drill::run, "", false);
    WorkflowStub stub = client.newUntypedWorkflowStub("cancel");
    env.registerDelayedCallback(Duration.ofMinutes(10), stub::cancel);
    assertThatThrownBy(() -> stub.getResult(String.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(calls)
        .containsExactly(
            "apply fence",
            "apply switch",
            "apply verify",
            "undo verify",
            "undo switch",
            "undo fence");
    assertThat(stub.query("phase", String.class)).isEqualTo("CANCELLED");
  }

  /** Slack and PagerDuty that accept everything (the drill's escalations go nowhere). */
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
