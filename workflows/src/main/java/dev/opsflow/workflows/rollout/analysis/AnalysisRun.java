package dev.opsflow.workflows.rollout.analysis;

import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * One analysis in progress: the template, when it started, and each metric's {@link
 * MetricProgress}. Immutable and JSON-friendly, so a workflow keeps it as state, shows it in its
 * progress query and carries it over continue-as-new.
 *
 * <p>A rollout step drives it like this (workflow code, next to the pause it guards):
 *
 * <pre>{@code
 * AnalysisRun run = AnalysisRun.start(template, Workflow.currentTimeMillis());
 * while (!run.verdict().decided()) {
 *   for (MetricCheck due : run.due(Workflow.currentTimeMillis())) {
 *     Measurement m = measure(due);   // MetricsActivities.measure; its failure -> couldNotMeasure
 *     run = run.record(m, Workflow.currentTimeMillis());
 *   }
 *   Workflow.sleep(Duration.ofMillis(run.nextMeasurementAtMillis() - Workflow.currentTimeMillis()));
 * }
 * }</pre>
 *
 * <p>The verdict: FAILED as soon as a deciding metric fails, else ERROR as soon as one is in error,
 * else RUNNING while one still runs, else INCONCLUSIVE when one is inconclusive, else SUCCESSFUL.
 * {@linkplain MetricCheck#dryRun() Dry-run} metrics are measured and shown but never enter it.
 *
 * @param template the metrics, validated before the run starts
 * @param startedAtMillis workflow time of the start
 * @param metrics one entry per metric of the template, in its order
 */
public record AnalysisRun(
    AnalysisTemplate template, long startedAtMillis, List<MetricProgress> metrics) {

  public AnalysisRun {
    metrics = List.copyOf(metrics);
  }

  /** A run whose every metric is due for its first measurement at {@code nowMillis}. */
  public static AnalysisRun start(AnalysisTemplate template, long nowMillis) {
    return new AnalysisRun(
        template,
        nowMillis,
        template.metrics().stream().map(m -> MetricProgress.notStarted(m, nowMillis)).toList());
  }

  /**
   * An analysis whose metrics each first measure one of their intervals after {@code nowMillis}:
   * the traffic a new weight brings takes that long to show in a rate.
   */
  public static AnalysisRun startAfterOneInterval(AnalysisTemplate template, long nowMillis) {
    return new AnalysisRun(
        template,
        nowMillis,
        template.metrics().stream()
            .map(m -> MetricProgress.notStarted(m, nowMillis + m.intervalSeconds() * 1000))
            .toList());
  }

  /**
   * The measurement to record when the measure activity itself failed (timed out, worker lost):
   * inconclusive, so it counts against {@code inconclusiveLimit} and never as a pass.
   */
  public static Measurement couldNotMeasure(String metric, String reason) {
    return Measurement.of(
        metric, MeasurementPhase.INCONCLUSIVE, "the measurement could not be taken: " + reason);
  }

  /** The run after {@code measurement} of its metric, taken at {@code nowMillis}. */
  public AnalysisRun record(Measurement measurement, long nowMillis) {
    List<MetricProgress> next = new ArrayList<>(metrics);
    int i = indexOf(measurement.metric());
    next.set(
        i, MetricRules.record(template.metrics().get(i), metrics.get(i), measurement, nowMillis));
    return new AnalysisRun(template, startedAtMillis, next);
  }

  /** The analysis' verdict over its deciding (not dry-run) metrics. */
  public AnalysisVerdict verdict() {
    return combine(metrics.stream().filter(m -> !m.dryRun()).map(MetricProgress::verdict).toList());
  }

  /**
   * The metrics to measure now: those still running whose measurement is due. None once the verdict
   * is decided, dry-run metrics included.
   */
  public List<MetricCheck> due(long nowMillis) {
    if (verdict().decided()) {
      return List.of();
    }
    List<MetricCheck> due = new ArrayList<>();
    for (int i = 0; i < metrics.size(); i++) {
      MetricProgress p = metrics.get(i);
      if (!p.verdict().decided() && p.nextMeasurementAtMillis() <= nowMillis) {
        due.add(template.metrics().get(i));
      }
    }
    return due;
  }

  /** When the next measurement is due; {@link Long#MAX_VALUE} when nothing is left to measure. */
  public long nextMeasurementAtMillis() {
    if (verdict().decided()) {
      return Long.MAX_VALUE;
    }
    return metrics.stream()
        .filter(p -> !p.verdict().decided())
        .mapToLong(MetricProgress::nextMeasurementAtMillis)
        .min()
        .orElse(Long.MAX_VALUE);
  }

  /** The deciding metrics that made a decided verdict (for the notification), else empty. */
  public List<MetricProgress> deciders() {
    AnalysisVerdict verdict = verdict();
    if (!verdict.decided()) {
      return List.of();
    }
    return metrics.stream().filter(m -> !m.dryRun() && m.verdict() == verdict).toList();
  }

  /** Failed beats error beats running beats inconclusive beats successful. */
  static AnalysisVerdict combine(List<AnalysisVerdict> verdicts) {
    if (verdicts.contains(AnalysisVerdict.FAILED)) {
      return AnalysisVerdict.FAILED;
    }
    if (verdicts.contains(AnalysisVerdict.ERROR)) {
      return AnalysisVerdict.ERROR;
    }
    if (verdicts.isEmpty() || verdicts.contains(AnalysisVerdict.RUNNING)) {
      // no deciding metric never passes (validation refuses such a template anyway)
      return verdicts.isEmpty() ? AnalysisVerdict.INCONCLUSIVE : AnalysisVerdict.RUNNING;
    }
    if (verdicts.contains(AnalysisVerdict.INCONCLUSIVE)) {
      return AnalysisVerdict.INCONCLUSIVE;
    }
    return AnalysisVerdict.SUCCESSFUL;
  }

  private int indexOf(String metric) {
    for (int i = 0; i < metrics.size(); i++) {
      if (metrics.get(i).metric().equals(metric)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "measurement of '" + metric + "', which analysis " + template.name() + " does not have");
  }
}
