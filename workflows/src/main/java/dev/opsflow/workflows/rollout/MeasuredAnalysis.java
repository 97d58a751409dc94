package dev.opsflow.workflows.rollout;

import dev.opsflow.activities.metrics.MeasurementRequest;
import dev.opsflow.activities.metrics.MetricsActivities;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * An analysis as a rollout workflow drives it: take what is due, record it, describe the result for
 * humans. Workflow code (deterministic): measurements go through the metrics activity.
 */
public final class MeasuredAnalysis {
  private MeasuredAnalysis() {}

  /**
   * Takes every measurement of {@code analysis} that is due now and records it; a measurement that
   * could not be taken at all counts as inconclusive, never as a pass.
   */
  public static AnalysisRun takeDue(
      AnalysisRun analysis, AnalysisSubject subject, MetricsActivities metrics) {
    if (analysis == null) {
      return null;
    }
    for (MetricCheck due : analysis.due(Workflow.currentTimeMillis())) {
      Measurement m;
      try {
        m = metrics.measure(new MeasurementRequest(due, subject));
      } catch (ActivityFailure e) {
        m = AnalysisRun.couldNotMeasure(due.name(), Failures.reason(e));
      }
      analysis = analysis.record(m, Workflow.currentTimeMillis());
    }
    return analysis;
  }

  /** Each metric's verdict, counts and last measurement, as humans read them. */
  public static String describe(List<MetricProgress> metrics) {
    List<String> parts = new ArrayList<>();
    for (MetricProgress m : metrics) {
      StringBuilder s =
          new StringBuilder(m.metric())
              .append(m.dryRun() ? " (dry run)" : "")
              .append(' ')
              .append(m.verdict().name().toLowerCase())
              .append(" (")
              .append(m.successful())
              .append(" ok, ")
              .append(m.failed())
              .append(" failed, ")
              .append(m.inconclusive())
              .append(" inconclusive, ")
              .append(m.errors())
              .append(" errors)");
      if (m.last() != null) {
        s.append(", last ")
            .append(m.last().phase().name().toLowerCase())
            .append(m.last().values().isEmpty() ? "" : " " + m.last().values())
            .append(
                m.last().stableValues().isEmpty() ? "" : " vs stable " + m.last().stableValues())
            .append(
                m.last().message() == null || m.last().message().isEmpty()
                    ? ""
                    : ": " + m.last().message());
      }
      parts.add(s.toString());
    }
    return parts.isEmpty() ? "no metrics" : String.join("; ", parts);
  }
}
