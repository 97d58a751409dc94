package dev.opsflow.workflows.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.opsflow.contracts.human.Refusal;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.Test;

/** What reaches an Update's caller when the run refuses it with a typed failure. */
class UpdateRefusalTypeTest {
  @WorkflowInterface
  public interface Gate {
    @WorkflowMethod
    void run();

    @UpdateMethod
    String approve(String by);

    @UpdateValidatorMethod(updateName = "approve")
    void validateApprove(String by);
  }

  public static class GateImpl implements Gate {
    @Override
    public void run() {
      Workflow.await(() -> false);
    }

    @Override
    public String approve(String by) {
      if (by.equals("eve")) {
        throw ApplicationFailure.newNonRetryableFailure(
            "no approval waits", Refusal.NOTHING_PENDING);
      }
      return "ok";
    }

    @Override
    public void validateApprove(String by) {
      if (by.equals("eve")) {
        return;
      }
      throw new Refusal(Refusal.NOT_AN_APPROVER, by + " is not an approver").failure();
    }
  }

  /**
   * Pins what SDK 1.38 does: a validator's typed failure reaches the caller with its type replaced
   * (so {@link Refusal} also leads its message with the type), while a handler's keeps its type. If
   * a later SDK keeps the validator's type, the first assertion fails and Refusal can drop the
   * prefix.
   */
  @Test
  void aValidatorsRefusalTypeSurvivesOnlyInTheMessageOnThisSdk() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("q");
      worker.registerWorkflowImplementationTypes(GateImpl.class);
      env.start();
      Gate gate =
          env.getWorkflowClient()
              .newWorkflowStub(
                  Gate.class,
                  WorkflowOptions.newBuilder().setTaskQueue("q").setWorkflowId("g").build());
      WorkflowClient.start(gate::run);

      Throwable byValidator = catchThrowable(() -> gate.approve("mallory"));
      assertThat(byValidator).isInstanceOf(WorkflowUpdateException.class);
      ApplicationFailure lost = (ApplicationFailure) byValidator.getCause();
      assertThat(lost.getType())
          .isEqualTo("io.temporal.internal.worker.WorkflowExecutionException");
      assertThat(Refusal.typeOf(byValidator)).isEqualTo(Refusal.NOT_AN_APPROVER);
      assertThat(Refusal.messageOf(byValidator)).isEqualTo("mallory is not an approver");

      Throwable byHandler = catchThrowable(() -> gate.approve("eve"));
      assertThat(((ApplicationFailure) byHandler.getCause()).getType())
          .isEqualTo(Refusal.NOTHING_PENDING);
      assertThat(Refusal.typeOf(byHandler)).isEqualTo(Refusal.NOTHING_PENDING);
    }
  }
}
