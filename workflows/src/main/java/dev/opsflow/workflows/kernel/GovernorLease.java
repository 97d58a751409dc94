package dev.opsflow.workflows.kernel;

import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A slot of the blast-radius governor, held while a procedure acts. The run that holds it gives it
 * back on every way out (done, escalated, failed, cancelled); the governor's lease takes it back
 * anyway if the run dies.
 */
public final class GovernorLease {
  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private boolean admitted;
  private boolean held;

  /** The governor's {@code admitted} signal arrived. */
  public void admitted() {
    admitted = true;
  }

  /**
   * Asks for a slot and waits for it durably; false when the timeout passes or the slot is no
   * longer wanted ({@code moot}, e.g. the alert resolved).
   */
  public boolean acquire(AdmissionRequest request, Duration timeout, BooleanSupplier moot) {
    dispatch.requestAdmission(request);
    held = true;
    Workflow.await(timeout, () -> admitted || moot.getAsBoolean());
    return admitted && !moot.getAsBoolean();
  }

  /** Gives the slot back, in a detached scope so that a cancellation does not skip it. */
  public void release() {
    if (!held) {
      return;
    }
    held = false;
    Workflow.newDetachedCancellationScope(
            () -> dispatch.releaseAdmission(Workflow.getInfo().getWorkflowId()))
        .run();
  }
}
