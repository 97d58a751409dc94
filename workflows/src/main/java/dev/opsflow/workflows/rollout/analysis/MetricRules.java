package dev.opsflow.workflows.rollout.analysis;

import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;

/**
 * How measurements decide one metric, Argo Rollouts' rules with one change: an inconclusive or
 * errored measurement within its limit is a gap that is measured again, never counted as a pass.
 *
 * <ul>
 *   <li>failed measurements &gt; {@code failureLimit}: FAILED (abort and roll back);
 *   <li>inconclusive measurements &gt; {@code inconclusiveLimit}: INCONCLUSIVE (pause and ask a
 *       human);
 *   <li>consecutive errors &gt; {@code consecutiveErrorLimit}: ERROR (the check is broken);
 *   <li>{@code count} conclusive (successful or failed) measurements and none of the above:
 *       SUCCESSFUL, which needs at least {@code count - failureLimit} &ge; 1 successes;
 *   <li>otherwise RUNNING: take another measurement after {@code intervalSeconds}.
 * </ul>
 *
 * The limits are checked in that order after each measurement, so the measurement that crosses a
 * limit decides at once. Pure: no clock, no I/O; the caller passes the time.
 */
public final class MetricRules {
  private MetricRules() {}

  /**
   * {@code progress} after {@code measurement}, taken at {@code nowMillis}. A metric already
   * decided stays as it is: late measurements are not counted.
   */
  public static MetricProgress record(
      MetricCheck check, MetricProgress progress, Measurement measurement, long nowMillis) {
    if (progress.verdict().decided()) {
      return progress;
    }
    MeasurementPhase phase = measurement.phase();
    int successful = progress.successful() + (phase == MeasurementPhase.SUCCESSFUL ? 1 : 0);
    int failed = progress.failed() + (phase == MeasurementPhase.FAILED ? 1 : 0);
    int inconclusive = progress.inconclusive() + (phase == MeasurementPhase.INCONCLUSIVE ? 1 : 0);
    int errors = progress.errors() + (phase == MeasurementPhase.ERROR ? 1 : 0);
    int consecutiveErrors = phase == MeasurementPhase.ERROR ? progress.consecutiveErrors() + 1 : 0;
    AnalysisVerdict verdict;
    if (failed > check.failureLimit()) {
      verdict = AnalysisVerdict.FAILED;
    } else if (inconclusive > check.inconclusiveLimit()) {
      verdict = AnalysisVerdict.INCONCLUSIVE;
    } else if (consecutiveErrors > check.consecutiveErrorLimit()) {
      verdict = AnalysisVerdict.ERROR;
    } else if (successful + failed >= check.count()) {
      verdict = AnalysisVerdict.SUCCESSFUL;
    } else {
      verdict = AnalysisVerdict.RUNNING;
    }
    return new MetricProgress(
        progress.metric(),
        progress.dryRun(),
        verdict,
        progress.measurements() + 1,
        successful,
        failed,
        inconclusive,
        errors,
        consecutiveErrors,
        measurement,
        nowMillis + check.intervalSeconds() * 1000);
  }
}
