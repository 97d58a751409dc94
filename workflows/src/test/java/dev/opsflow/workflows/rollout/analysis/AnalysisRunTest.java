package dev.opsflow.workflows.rollout.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisRunTest {
  private static final MetricCheck ERRORS = BuiltInChecks.errorRateBelow(0.01).every(60, 2);
  private static final MetricCheck LATENCY = BuiltInChecks.p99LatencyBelow(0.5).every(30, 3);
  private static final MetricCheck SHADOW =
      BuiltInChecks.errorRateVersusStable(1.5, 0.001).every(10, 1).asDryRun();
  private static final AnalysisTemplate TEMPLATE =
      new AnalysisTemplate("http", List.of(ERRORS, LATENCY, SHADOW));

  private static Measurement m(MetricCheck check, MeasurementPhase phase) {
    return Measurement.of(check.name(), phase, "");
  }

  @Test
  void everyMetricIsDueAtTheStartThenEachAfterItsOwnInterval() {
    AnalysisRun run = AnalysisRun.start(TEMPLATE, 1_000);
    assertThat(run.due(1_000)).containsExactly(ERRORS, LATENCY, SHADOW);

    run = run.record(m(ERRORS, MeasurementPhase.SUCCESSFUL), 1_000);
    run = run.record(m(LATENCY, MeasurementPhase.SUCCESSFUL), 1_000);
    run = run.record(m(SHADOW, MeasurementPhase.FAILED), 1_000);

    assertThat(run.due(1_000)).isEmpty();
    assertThat(run.nextMeasurementAtMillis()).isEqualTo(31_000);
    assertThat(run.due(31_000)).containsExactly(LATENCY);
    assertThat(run.due(61_000)).containsExactly(ERRORS, LATENCY);
  }

  @Test
  void passesWhenEveryDecidingMetricPassedWhateverTheDryRunSays() {
    AnalysisRun run = AnalysisRun.start(TEMPLATE, 0).record(m(SHADOW, MeasurementPhase.FAILED), 0);
    for (int i = 0; i < 2; i++) {
      run = run.record(m(ERRORS, MeasurementPhase.SUCCESSFUL), i);
    }
    assertThat(run.verdict()).isEqualTo(AnalysisVerdict.RUNNING);
    for (int i = 0; i < 3; i++) {
      run = run.record(m(LATENCY, MeasurementPhase.SUCCESSFUL), i);
    }

    assertThat(run.verdict()).isEqualTo(AnalysisVerdict.SUCCESSFUL);
    assertThat(run.metrics())
        .filteredOn(MetricProgress::dryRun)
        .singleElement()
        .extracting(MetricProgress::verdict)
        .isEqualTo(AnalysisVerdict.FAILED);
    assertThat(run.due(Long.MAX_VALUE)).isEmpty();
    assertThat(run.nextMeasurementAtMillis()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void oneFailedMetricFailsTheAnalysisAtOnceAndNamesIt() {
    AnalysisRun run = AnalysisRun.start(TEMPLATE, 0).record(m(LATENCY, MeasurementPhase.FAILED), 0);

    assertThat(run.verdict()).isEqualTo(AnalysisVerdict.FAILED);
    assertThat(run.deciders()).extracting(MetricProgress::metric).containsExactly("p99-latency");
    assertThat(run.due(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void anInconclusiveMetricWaitsForTheOthersThenAsksAHuman() {
    AnalysisRun run =
        AnalysisRun.start(TEMPLATE, 0).record(m(ERRORS, MeasurementPhase.INCONCLUSIVE), 0);
    assertThat(run.verdict()).isEqualTo(AnalysisVerdict.RUNNING);
    assertThat(run.due(Long.MAX_VALUE)).containsExactly(LATENCY, SHADOW);

    for (int i = 0; i < 3; i++) {
      run = run.record(m(LATENCY, MeasurementPhase.SUCCESSFUL), i);
    }

    assertThat(run.verdict()).isEqualTo(AnalysisVerdict.INCONCLUSIVE);
    assertThat(run.deciders()).extracting(MetricProgress::metric).containsExactly("error-rate");
  }

  @Test
  void aMeasurementThatCouldNotBeTakenIsInconclusive() {
    Measurement lost = AnalysisRun.couldNotMeasure("error-rate", "activity timed out");

    AnalysisRun run = AnalysisRun.start(TEMPLATE, 0).record(lost, 0);

    assertThat(lost.phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    assertThat(run.metrics().get(0).inconclusive()).isEqualTo(1);
    assertThat(run.metrics().get(0).last().message()).contains("activity timed out");
  }

  @Test
  void refusesAMeasurementOfAMetricItDoesNotHave() {
    assertThatThrownBy(
            () ->
                AnalysisRun.start(TEMPLATE, 0)
                    .record(Measurement.of("cpu", MeasurementPhase.SUCCESSFUL, ""), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cpu'");
  }
}
