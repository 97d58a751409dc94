package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The judging half of {@link MetricsActivities#measure}, with Prometheus' answers given per
 * rendered query (the HTTP half is {@code MetricsActivitiesImplTest}, the whole against a real
 * Prometheus is {@code AnalysisAgainstPrometheusIT}).
 */
class AnalysisMeasurementTest {
  private static final AnalysisSubject SHOP =
      new AnalysisSubject("shop", "web", "web-v2", "web-v1");

  /** Answers by whether the rendered query names the canary or the stable Deployment. */
  private final Map<String, Object> answers = new HashMap<>();

  private final List<String> asked = new ArrayList<>();
  private final AnalysisMeasurement measurement =
      new AnalysisMeasurement(
          q -> {
            asked.add(q.query());
            Object answer = answers.get(q.query().contains("\"web-v1\"") ? "web-v1" : "web-v2");
            if (answer instanceof RuntimeException e) {
              throw e;
            }
            return (InstantQueryResult) answer;
          });

  private static InstantQueryResult values(double... values) {
    List<MetricSample> samples =
        Arrays.stream(values)
            .mapToObj(v -> new MetricSample(Map.of(), v, 1_700_000_000.5))
            .toList();
    return new InstantQueryResult(
        samples.isEmpty() ? QueryOutcome.EMPTY : QueryOutcome.VALUE, samples);
  }

  private Measurement measure(MetricCheck check) {
    return measurement.measure(new MeasurementRequest(check, SHOP));
  }

  @Test
  void aCanaryWithFivePercentErrorsFailsTheErrorRateCheck() {
    answers.put("web-v2", values(0.05));

    Measurement m = measure(BuiltInChecks.errorRateBelow(0.01));

    assertThat(m.phase()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(m.values()).containsExactly(0.05);
    assertThat(m.message()).contains("result=0.05").contains("'result < 0.01' does not hold");
    assertThat(m.takenAtEpochSeconds()).isEqualTo(1_700_000_000.5);
    assertThat(asked)
        .singleElement()
        .asString()
        .contains("namespace=\"shop\",deployment=\"web-v2\"");
  }

  @Test
  void aHealthyCanaryPasses() {
    answers.put("web-v2", values(0.001));

    assertThat(measure(BuiltInChecks.errorRateBelow(0.01)).phase())
        .isEqualTo(MeasurementPhase.SUCCESSFUL);
  }

  @Test
  void noDataNanInfinityAndAnUnreadablePrometheusAreInconclusiveNeverHealthy() {
    MetricCheck check = BuiltInChecks.errorRateBelow(0.01);
    answers.put("web-v2", values());
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    assertThat(measure(check).message()).contains("no data");

    answers.put("web-v2", values(Double.NaN));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);

    answers.put("web-v2", values(0.001, Double.POSITIVE_INFINITY));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);

    answers.put(
        "web-v2",
        ApplicationFailure.newFailure(
            "cannot connect to Prometheus", MetricsActivitiesImpl.UNAVAILABLE));
    Measurement unreachable = measure(check);
    assertThat(unreachable.phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    assertThat(unreachable.message()).contains("could not read Prometheus");

    answers.put("web-v2", new IllegalStateException("parser broke"));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
  }

  @Test
  void aRejectedQueryOrAConditionThatDoesNotFitTheResultIsAnError() {
    answers.put("web-v2", FailureTypes.invalidInput("bad_data: parse error"));
    assertThat(measure(BuiltInChecks.errorRateBelow(0.01)).phase())
        .isEqualTo(MeasurementPhase.ERROR);

    // two series: result is a list, and a list is not below a number
    answers.put("web-v2", values(0.001, 0.002));
    Measurement m = measure(BuiltInChecks.errorRateBelow(0.01));
    assertThat(m.phase()).isEqualTo(MeasurementPhase.ERROR);
    assertThat(m.values()).containsExactly(0.001, 0.002);
  }

  @Test
  void aListResultIsJudgedWithListMacros() {
    MetricCheck everyPod =
        new MetricCheck(
            "pods", "x{d=\"{{canary}}\"}", 0, 1, "result.all(r, r < 1)", null, 0, 0, null, false);
    answers.put("web-v2", values(0.5, 0.7));
    assertThat(measure(everyPod).phase()).isEqualTo(MeasurementPhase.SUCCESSFUL);
    answers.put("web-v2", values(0.5, 1.2));
    assertThat(measure(everyPod).phase()).isEqualTo(MeasurementPhase.FAILED);
  }

  @Test
  void comparesWithTheSameQueryRunAgainstTheStableVersion() {
    MetricCheck check = BuiltInChecks.errorRateVersusStable(1.5, 0.001);
    answers.put("web-v1", values(0.01));

    answers.put("web-v2", values(0.02));
    Measurement worse = measure(check);
    assertThat(worse.phase()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(worse.stableValues()).containsExactly(0.01);
    assertThat(worse.message()).contains("result=0.02, stable=0.01");

    answers.put("web-v2", values(0.012));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.SUCCESSFUL);

    assertThat(asked)
        .anyMatch(q -> q.contains("deployment=\"web-v1\""))
        .anyMatch(q -> q.contains("deployment=\"web-v2\""));

    answers.put("web-v1", values());
    Measurement noStable = measure(check);
    assertThat(noStable.phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    assertThat(noStable.message()).contains("no data for the stable");
  }

  @Test
  void withBothConditionsNeitherHoldingIsInconclusive() {
    MetricCheck check =
        new MetricCheck(
            "band",
            "x{d=\"{{canary}}\"}",
            0,
            1,
            "result < 0.01",
            "result > 0.05",
            0,
            0,
            null,
            false);
    answers.put("web-v2", values(0.03));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    answers.put("web-v2", values(0.06));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.FAILED);
    answers.put("web-v2", values(0.001));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.SUCCESSFUL);
  }

  @Test
  void onlyAFailureConditionPassesWhenItDoesNotHold() {
    MetricCheck check =
        new MetricCheck("f", "x{d=\"{{canary}}\"}", 0, 1, null, "result >= 1", 0, 0, null, false);
    answers.put("web-v2", values(0.5));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.SUCCESSFUL);
    answers.put("web-v2", values(2));
    assertThat(measure(check).phase()).isEqualTo(MeasurementPhase.FAILED);
  }

  @Test
  void refusesANameThatCouldInjectPromqlBeforeAskingPrometheus() {
    AnalysisSubject injecting = new AnalysisSubject("shop", null, "x\"} or vector(0) #", null);

    assertThatThrownBy(
            () ->
                measurement.measure(
                    new MeasurementRequest(BuiltInChecks.errorRateBelow(0.01), injecting)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            e -> {
              assertThat(e.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
              assertThat(e.getOriginalMessage()).contains("subject.canary:");
            });
    assertThat(asked).isEmpty();
  }

  @Test
  void refusesAComparisonWithStableWhenNoStableIsGiven() {
    AnalysisSubject noStable = new AnalysisSubject("shop", null, "web-v2", null);

    assertThat(
            AnalysisConditions.problems(BuiltInChecks.errorRateVersusStable(1.5, 0.001), noStable))
        .containsExactly("subject.stable: is required, a condition compares with stable");
  }

  @Test
  void aConditionThatDoesNotCompileOrIsNotTrueOrFalseIsRefusedNamingTheField() {
    AnalysisTemplate template =
        new AnalysisTemplate(
            "t",
            List.of(
                new MetricCheck(
                    "a", "x{d=\"{{canary}}\"}", 60, 3, "result <", "reslt > 1", 0, 0, null, false),
                new MetricCheck(
                    "b", "x{d=\"{{canary}}\"}", 60, 3, "result + 1", null, 0, 0, null, false)));

    assertThat(AnalysisConditions.problems(template))
        .anySatisfy(p -> assertThat(p).startsWith("metrics[a].successCondition: 'result <'"))
        .anySatisfy(p -> assertThat(p).startsWith("metrics[a].failureCondition: 'reslt > 1'"))
        .anySatisfy(p -> assertThat(p).startsWith("metrics[b].successCondition: 'result + 1'"))
        .hasSize(3);
    assertThat(
            AnalysisConditions.problems(
                new AnalysisTemplate(
                    "ok",
                    List.of(
                        BuiltInChecks.errorRateBelow(0.01),
                        BuiltInChecks.p99LatencyBelow(0.25),
                        BuiltInChecks.errorRateVersusStable(1.5, 0.001)))))
        .isEmpty();
  }

  @Test
  void aDryRunMetricIsMeasuredLikeAnyOther() {
    answers.put("web-v2", values(0.05));

    assertThat(measure(BuiltInChecks.errorRateBelow(0.01).asDryRun()).phase())
        .isEqualTo(MeasurementPhase.FAILED);
  }

  @Test
  void validateAnalysisRefusesABadTemplateOrSubjectListingEveryFieldAndPassesAGoodOne() {
    MetricsActivitiesImpl activities =
        new MetricsActivitiesImpl(
            java.net.http.HttpClient.newHttpClient(),
            "http://127.0.0.1:1",
            java.time.Duration.ofSeconds(1));
    AnalysisTemplate good =
        new AnalysisTemplate(
            "http",
            List.of(
                BuiltInChecks.errorRateBelow(0.01),
                BuiltInChecks.errorRateVersusStable(1.5, 0.001)));
    activities.validateAnalysis(good, SHOP);

    AnalysisTemplate bad =
        new AnalysisTemplate(
            "http",
            List.of(
                new MetricCheck(
                    "a", "x{d=\"{{canary}}\"}", 60, 3, "result <<", null, 0, -1, null, false)));
    assertThatThrownBy(() -> activities.validateAnalysis(bad, SHOP))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            e -> {
              assertThat(e.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
              assertThat(e.getOriginalMessage())
                  .contains("metrics[a].successCondition:")
                  .contains("metrics[a].inconclusiveLimit:");
            });
    assertThatThrownBy(
            () ->
                activities.validateAnalysis(
                    good, new AnalysisSubject("shop", null, "web-v2", null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            e ->
                assertThat(e.getOriginalMessage())
                    .contains("subject.stable: is required, a condition compares with stable")
                    .contains("(metric error-rate-vs-stable)"));
  }
}
