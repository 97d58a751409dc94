package dev.opsflow.contracts.rollout;

/** Where the analysis of one metric, or of a whole {@link AnalysisTemplate}, stands. */
public enum AnalysisVerdict {
  /** More measurements are needed before anything is decided. */
  RUNNING,
  /** Enough successful measurements and no limit passed: the rollout may go on. */
  SUCCESSFUL,
  /** More failed measurements than {@link MetricCheck#failureLimit()}: abort and roll back. */
  FAILED,
  /**
   * More inconclusive measurements than {@link MetricCheck#inconclusiveLimit()}: pause and ask a
   * human to promote or abort. Never a pass.
   */
  INCONCLUSIVE,
  /**
   * More consecutive errors than {@link MetricCheck#consecutiveErrorLimit()}: the check is broken,
   * so the rollout is unguarded; abort and roll back, as Argo Rollouts does.
   */
  ERROR;

  /** Whether the verdict is final. */
  public boolean decided() {
    return this != RUNNING;
  }
}
