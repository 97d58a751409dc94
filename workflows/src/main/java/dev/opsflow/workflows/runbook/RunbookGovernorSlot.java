package dev.opsflow.workflows.runbook;

import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.workflows.kernel.GovernorLease;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * The blast-radius governor's slot a runbook run holds while one of its mutating Kubernetes actions
 * acts, so that runbooks count against {@code healing.maxInFlight} and {@code
 * healing.maxInFlightPerNamespace} as remediations do. The governor keys slots by workflow ID, so a
 * run holds at most one at a time: actions of the run in the same namespace at once (parallel
 * branches, loop passes) share it, an action in another namespace waits until it is given back. The
 * slot is asked for right before the action and given back right after it, on every way out (a
 * detached scope, so a cancellation does not skip it); the governor's lease takes it back anyway if
 * the run dies.
 */
final class RunbookGovernorSlot {
  private GovernorLease lease;
  private String namespace;
  private int acting;

  /** The governor's {@code admitted} signal. */
  void admitted() {
    if (lease != null) {
      lease.admitted();
    }
  }

  /**
   * Waits for the slot in {@code namespace}; null once held, else why not (the governor did not
   * admit the run within {@code healing.admissionTimeout}). Each success needs one {@link
   * #release}.
   *
   * @param leaseSeconds how long the governor keeps the slot without a release
   */
  String acquire(String namespace, String severity, HealingPolicy policy, long leaseSeconds) {
    // Another action of this run holds the slot elsewhere (or is still being admitted here).
    Workflow.await(() -> lease == null || (namespace.equals(this.namespace) && lease.isAdmitted()));
    if (lease == null) {
      lease = new GovernorLease();
      this.namespace = namespace;
      Duration timeout = Duration.ofSeconds(policy.admissionTimeoutSeconds());
      boolean admitted;
      try {
        admitted =
            lease.acquire(
                new AdmissionRequest(
                    Workflow.getInfo().getWorkflowId(),
                    namespace,
                    severity,
                    leaseSeconds,
                    policy.maxInFlight(),
                    policy.maxInFlightPerNamespace()),
                timeout,
                () -> false);
      } catch (RuntimeException cancelledOrFailed) {
        // Asked for and maybe granted: given back before the failure goes on.
        giveBack();
        throw cancelledOrFailed;
      }
      if (!admitted) {
        giveBack();
        return "the blast-radius governor did not admit an action in namespace "
            + namespace
            + " within "
            + timeout.toSeconds()
            + " s (healing.admissionTimeout; healing.maxInFlight "
            + policy.maxInFlight()
            + ", healing.maxInFlightPerNamespace "
            + policy.maxInFlightPerNamespace()
            + ")";
      }
    }
    acting++;
    return null;
  }

  /** One action is done with the slot; the last one gives it back. */
  void release() {
    acting--;
    if (acting == 0) {
      giveBack();
    }
  }

  private void giveBack() {
    if (lease != null) {
      GovernorLease held = lease;
      lease = null;
      namespace = null;
      held.release();
    }
  }
}
