package dev.opsflow.workflows.rollout.analysis;

import static dev.opsflow.contracts.rollout.MeasurementPhase.ERROR;
import static dev.opsflow.contracts.rollout.MeasurementPhase.FAILED;
import static dev.opsflow.contracts.rollout.MeasurementPhase.INCONCLUSIVE;
import static dev.opsflow.contracts.rollout.MeasurementPhase.SUCCESSFUL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricRulesTest {

  static MetricCheck check(int count, int failureLimit, int inconclusiveLimit, int errorLimit) {
    return new MetricCheck(
        "error-rate",
        "x{d=\"{{canary}}\"}",
        60,
        count,
        "result < 0.01",
        null,
        failureLimit,
        inconclusiveLimit,
        errorLimit,
        false);
  }

  /** The verdict after each measurement of {@code phases}. */
  static List<AnalysisVerdict> verdicts(MetricCheck check, MeasurementPhase... phases) {
    MetricProgress progress = MetricProgress.notStarted(check, 0);
    List<AnalysisVerdict> verdicts = new ArrayList<>();
    long now = 0;
    for (MeasurementPhase phase : phases) {
      progress = MetricRules.record(check, progress, Measurement.of(check.name(), phase, ""), now);
      verdicts.add(progress.verdict());
      now += 60_000;
    }
    return verdicts;
  }

  @Test
  void failsOnlyWhenFailuresExceedTheFailureLimitAsArgoDoes() {
    assertThat(verdicts(check(5, 0, 0, 4), FAILED)).containsExactly(AnalysisVerdict.FAILED);
    assertThat(verdicts(check(5, 1, 0, 4), FAILED, SUCCESSFUL, FAILED))
        .containsExactly(AnalysisVerdict.RUNNING, AnalysisVerdict.RUNNING, AnalysisVerdict.FAILED);
  }

  @Test
  void passesAfterCountConclusiveMeasurementsWithinTheLimits() {
    assertThat(verdicts(check(3, 1, 0, 4), SUCCESSFUL, FAILED, SUCCESSFUL))
        .containsExactly(
            AnalysisVerdict.RUNNING, AnalysisVerdict.RUNNING, AnalysisVerdict.SUCCESSFUL);
  }

  @Test
  void aToleratedInconclusiveIsMeasuredAgainNotCountedAsAPass() {
    assertThat(verdicts(check(3, 0, 1, 4), SUCCESSFUL, INCONCLUSIVE, SUCCESSFUL, SUCCESSFUL))
        .containsExactly(
            AnalysisVerdict.RUNNING,
            AnalysisVerdict.RUNNING,
            AnalysisVerdict.RUNNING,
            AnalysisVerdict.SUCCESSFUL);
  }

  @Test
  void inconclusivePastItsLimitAsksAHuman() {
    assertThat(verdicts(check(3, 0, 0, 4), SUCCESSFUL, INCONCLUSIVE))
        .containsExactly(AnalysisVerdict.RUNNING, AnalysisVerdict.INCONCLUSIVE);
    assertThat(verdicts(check(3, 0, 1, 4), INCONCLUSIVE, SUCCESSFUL, INCONCLUSIVE))
        .last()
        .isEqualTo(AnalysisVerdict.INCONCLUSIVE);
  }

  @Test
  void onlyConsecutiveErrorsPastTheirLimitAreAnError() {
    assertThat(verdicts(check(2, 0, 0, 2), ERROR, ERROR, ERROR))
        .containsExactly(AnalysisVerdict.RUNNING, AnalysisVerdict.RUNNING, AnalysisVerdict.ERROR);
    // a measurement that is not an error starts the count again
    assertThat(verdicts(check(3, 0, 0, 2), ERROR, ERROR, SUCCESSFUL, ERROR, ERROR, SUCCESSFUL))
        .doesNotContain(AnalysisVerdict.ERROR)
        .last()
        .isEqualTo(AnalysisVerdict.RUNNING);
  }

  @Test
  void aDecidedMetricIgnoresLateMeasurements() {
    MetricCheck check = check(1, 0, 0, 4);
    MetricProgress failed =
        MetricRules.record(
            check,
            MetricProgress.notStarted(check, 0),
            Measurement.of("error-rate", FAILED, ""),
            0);

    MetricProgress after =
        MetricRules.record(check, failed, Measurement.of("error-rate", SUCCESSFUL, ""), 60_000);

    assertThat(after).isSameAs(failed);
    assertThat(after.verdict()).isEqualTo(AnalysisVerdict.FAILED);
  }

  @Test
  void recordsTheLastMeasurementAndWhenTheNextIsDue() {
    MetricCheck check = check(3, 0, 0, 4);
    Measurement m = Measurement.of("error-rate", SUCCESSFUL, "result=0.001");

    MetricProgress p = MetricRules.record(check, MetricProgress.notStarted(check, 0), m, 5_000);

    assertThat(p.last()).isEqualTo(m);
    assertThat(p.measurements()).isEqualTo(1);
    assertThat(p.successful()).isEqualTo(1);
    assertThat(p.nextMeasurementAtMillis()).isEqualTo(65_000);
  }
}
