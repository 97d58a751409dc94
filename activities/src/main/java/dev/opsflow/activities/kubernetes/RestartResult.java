package dev.opsflow.activities.kubernetes;

/**
 * @param restartedAt the pod-template annotation value this action stamped
 * @param changed true when this action restarted the Deployment, also when a retry of the same
 *     action id finds its restart already applied (reported again, not repeated)
 * @param previousRestartedAt the annotation value before this action ("" when it had none)
 * @param previousRevision the Deployment's {@code deployment.kubernetes.io/revision} before this
 *     action ("" when the controller had not set one)
 */
public record RestartResult(
    String restartedAt, boolean changed, String previousRestartedAt, String previousRevision) {
  /** A result without the state from before (as results of older workers read back). */
  public RestartResult(String restartedAt, boolean changed) {
    this(restartedAt, changed, "", "");
  }
}
