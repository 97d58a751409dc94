package dev.opsflow.workflows.kernel;

import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.contracts.remediation.ActionMark;
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
  /**
   * Version marker: from version 1 a run's signals to the governor (ask for a slot, give it back,
   * record an action) are local activities instead of activity tasks, which saves an activity task
   * and a workflow task each (about 15 ms a signal on an idle dev stack, more under load).
   * Histories from before send them as normal activities.
   */
  public static final String LOCAL_SIGNALS = "local-governor-signals";

  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private final DispatchActivities localDispatch =
      Workflow.newLocalActivityStub(DispatchActivities.class, DispatchOptions.LOCAL_SIGNAL);
  private boolean admitted;
  private boolean held;
  private long deadlineMillis;

  /**
   * The stub this run signals the governor through: local activities from {@link #LOCAL_SIGNALS}
   * on, normal ones in histories from before. Every call in a run gets the same answer.
   */
  private DispatchActivities signals() {
    return Workflow.getVersion(LOCAL_SIGNALS, Workflow.DEFAULT_VERSION, 1) == 1
        ? localDispatch
        : dispatch;
  }

  /**
   * Tells the governor of an action on a problem (its cooldown), before the action is taken, so a
   * crash between the two still counts as an action.
   */
  public void recordAction(ActionMark mark) {
    signals().recordAction(mark);
  }

  /** The governor's {@code admitted} signal arrived. */
  public void admitted() {
    admitted = true;
  }

  /**
   * Asks for a slot and waits for it durably; false when the timeout passes or the slot is no
   * longer wanted ({@code moot}, e.g. the alert resolved).
   */
  public boolean acquire(AdmissionRequest request, Duration timeout, BooleanSupplier moot) {
    signals().requestAdmission(request);
    held = true;
    Workflow.await(timeout, () -> admitted || moot.getAsBoolean());
    return admitted && !moot.getAsBoolean();
  }

  /**
   * Asks for a slot once: a lease already asked for (also by an earlier run of the chain) is not
   * asked for again, so the governor's queue keeps this run's place. The wait gives up {@code
   * timeout} after the request.
   */
  public void ask(AdmissionRequest request, Duration timeout) {
    if (held) {
      return;
    }
    signals().requestAdmission(request);
    held = true;
    deadlineMillis = Workflow.currentTimeMillis() + timeout.toMillis();
  }

  /**
   * Waits for the governor's admission until the deadline of {@link #ask} or until {@code
   * stopWaiting} holds; true once admitted.
   */
  public boolean awaitAdmission(BooleanSupplier stopWaiting) {
    long remaining = deadlineMillis - Workflow.currentTimeMillis();
    if (!admitted && remaining > 0) {
      Workflow.await(Duration.ofMillis(remaining), () -> admitted || stopWaiting.getAsBoolean());
    }
    return admitted;
  }

  /** True while the admission wait has time left. */
  public boolean waitingTimeLeft() {
    return !admitted && deadlineMillis > Workflow.currentTimeMillis();
  }

  public boolean isAdmitted() {
    return admitted;
  }

  public boolean held() {
    return held;
  }

  public long deadlineMillis() {
    return deadlineMillis;
  }

  /**
   * Takes over the lease of an earlier run of the chain (continued as new): the slot it holds, or
   * its place in the queue, with the same deadline. Nothing is released or asked again, so the
   * governor's count and its cooldowns do not move.
   */
  public void resume(boolean wasHeld, boolean wasAdmitted, long deadline) {
    held = wasHeld;
    admitted = wasAdmitted;
    deadlineMillis = deadline;
  }

  /** Gives the slot back, in a detached scope so that a cancellation does not skip it. */
  public void release() {
    if (!held) {
      return;
    }
    held = false;
    Workflow.newDetachedCancellationScope(
            () -> signals().releaseAdmission(Workflow.getInfo().getWorkflowId()))
        .run();
  }
}
