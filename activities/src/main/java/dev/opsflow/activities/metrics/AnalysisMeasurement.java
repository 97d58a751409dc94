package dev.opsflow.activities.metrics;

import dev.cel.runtime.CelEvaluationException;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.QueryTemplate;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Takes one measurement: renders the query for the canary (and, when a condition compares with
 * {@code stable}, for the stable version), reads it, and judges it with the metric's conditions.
 * Anything that is not a reading - Prometheus unreachable or overloaded, no series, {@code NaN}, an
 * infinite value - is INCONCLUSIVE, never healthy; a query Prometheus rejects, refused credentials,
 * a wrong URL and a condition that cannot be evaluated on the values are ERROR (the check is
 * broken, and a retry would not mend it).
 */
final class AnalysisMeasurement {
  /** Failure types of a read that say the check or the configuration is wrong. */
  private static final Set<String> BROKEN_CHECK =
      Set.of(
          FailureTypes.INVALID_INPUT,
          FailureTypes.PERMISSION_DENIED,
          FailureTypes.NOT_FOUND,
          FailureTypes.NOT_CONFIGURED);

  private final Function<InstantQuery, InstantQueryResult> prometheus;

  /**
   * @param prometheus how a query is read: {@link MetricsActivitiesImpl#instantQuery}
   */
  AnalysisMeasurement(Function<InstantQuery, InstantQueryResult> prometheus) {
    this.prometheus = prometheus;
  }

  /** What one read gave: values to judge, or the phase and reason it cannot be judged. */
  private record Reading(
      List<Double> values, MeasurementPhase unusable, String why, double atEpochSeconds) {
    /** The CEL value: one number for one value, else the list. */
    Object cel() {
      return values.size() == 1 ? values.get(0) : values;
    }
  }

  /**
   * @throws ApplicationFailure {@code InvalidInput} naming the field when the request is unusable
   */
  Measurement measure(MeasurementRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("measure needs a request with a check and a subject");
    }
    MetricCheck check = request.check();
    List<String> problems = AnalysisConditions.problems(check, request.subject());
    if (!problems.isEmpty()) {
      throw FailureTypes.invalidInput(
          "measure "
              + (check == null ? "" : check.name() + " ")
              + "refused: "
              + String.join("; ", problems));
    }
    AnalysisConditions.Compiled conditions = AnalysisConditions.compile(check);
    Reading canary = read(check.query(), request.subject(), "canary");
    if (canary.unusable() != null) {
      return new Measurement(
          check.name(),
          canary.unusable(),
          canary.values(),
          List.of(),
          canary.why(),
          canary.atEpochSeconds());
    }
    Reading stable = null;
    if (conditions.usesStable()) {
      stable = read(check.query(), request.subject().asStable(), "stable");
      if (stable.unusable() != null) {
        return new Measurement(
            check.name(),
            stable.unusable(),
            canary.values(),
            stable.values(),
            stable.why(),
            canary.atEpochSeconds());
      }
    }
    List<Double> stableValues = stable == null ? List.of() : stable.values();
    String shown = "result=" + canary.cel() + (stable == null ? "" : ", stable=" + stable.cel());
    MeasurementPhase phase;
    String message;
    try {
      phase =
          AnalysisConditions.judge(conditions, canary.cel(), stable == null ? null : stable.cel());
      message = shown + ": " + explain(check, phase);
    } catch (CelEvaluationException e) {
      phase = MeasurementPhase.ERROR;
      message = shown + ": a condition cannot be evaluated on this result: " + e.getMessage();
    }
    return new Measurement(
        check.name(), phase, canary.values(), stableValues, message, canary.atEpochSeconds());
  }

  private Reading read(String template, AnalysisSubject subject, String version) {
    String query = QueryTemplate.render(template, subject.placeholderValues());
    InstantQueryResult result;
    try {
      result = prometheus.apply(InstantQuery.now(query));
    } catch (ApplicationFailure e) {
      boolean broken = BROKEN_CHECK.contains(e.getType());
      return new Reading(
          List.of(),
          broken ? MeasurementPhase.ERROR : MeasurementPhase.INCONCLUSIVE,
          (broken ? "the " + version + " query is refused: " : "could not read Prometheus: ")
              + e.getOriginalMessage(),
          0);
    } catch (RuntimeException e) {
      return new Reading(
          List.of(),
          MeasurementPhase.INCONCLUSIVE,
          "could not read Prometheus: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          0);
    }
    if (result.outcome() == QueryOutcome.EMPTY || result.samples().isEmpty()) {
      return new Reading(
          List.of(),
          MeasurementPhase.INCONCLUSIVE,
          "no data for the " + version + ": the query matched no series (" + query + ")",
          0);
    }
    List<Double> finite = new ArrayList<>();
    List<String> notFinite = new ArrayList<>();
    for (MetricSample sample : result.samples()) {
      if (Double.isFinite(sample.value())) {
        finite.add(sample.value());
      } else {
        notFinite.add(String.valueOf(sample.value()));
      }
    }
    double at = result.samples().get(0).timestampEpochSeconds();
    if (!notFinite.isEmpty()) {
      return new Reading(
          finite,
          MeasurementPhase.INCONCLUSIVE,
          "the "
              + version
              + " query gave "
              + String.join(", ", notFinite)
              + " (no traffic, or a division by zero), which says nothing about the version",
          at);
    }
    return new Reading(List.copyOf(finite), null, null, at);
  }

  private static String explain(MetricCheck check, MeasurementPhase phase) {
    return switch (phase) {
      case FAILED ->
          check.failureCondition() != null
              ? "failureCondition '" + check.failureCondition() + "' holds"
              : "successCondition '" + check.successCondition() + "' does not hold";
      case SUCCESSFUL ->
          check.successCondition() != null
              ? "successCondition '" + check.successCondition() + "' holds"
              : "failureCondition '" + check.failureCondition() + "' does not hold";
      case INCONCLUSIVE -> "neither successCondition nor failureCondition holds";
      case ERROR -> "error";
    };
  }
}
