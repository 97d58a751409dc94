package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.run.RunEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Asks for one ML model release ({@link MlModelDeployment}). As tctl JSON: {@code
 * {"target":{"namespace":"demo","service":"model","deployment":"model",
 * "image":"registry.example/model-server:v2"},"modelVersion":"v2"}}; every other field has the
 * automation module's default.
 *
 * @param target the production Deployment, its Service and the candidate's image
 * @param modelVersion the candidate as the model server's evaluation endpoint names it ({@code GET
 *     <rollout.modelServerUrl>/models/<modelVersion>/evaluate})
 * @param previewService the Service that reaches the preview colour of the full (blue-green)
 *     deployment; null = {@code <service>-preview}
 * @param acceptanceThreshold {@code validate_model}: the least validation accuracy (0-1) the
 *     candidate needs before anything is deployed; null = {@value #DEFAULT_ACCEPTANCE_THRESHOLD}
 * @param trafficPercentage {@code deploy_canary}: the candidate's traffic share (1-99); null =
 *     {@value #DEFAULT_TRAFFIC_PERCENTAGE}
 * @param monitoringDuration {@code deploy_canary}: how long the canary is watched before {@code
 *     evaluate_canary} decides; null = {@link #DEFAULT_MONITORING_DURATION} (1800 s)
 * @param analysis {@code evaluate_canary}'s metrics; null = {@link ModelChecks#versusProduction}
 *     (accuracy, latency, error_rate against production), measured over the monitoring duration
 * @param maxRollbackTime a rollback taking longer than this escalates to a human; null = {@link
 *     #DEFAULT_MAX_ROLLBACK_TIME} (300 s)
 * @param run severity, who asked, human policy
 */
public record MlDeploymentRequest(
    RolloutTarget target,
    String modelVersion,
    String previewService,
    Double acceptanceThreshold,
    Integer trafficPercentage,
    Duration monitoringDuration,
    AnalysisTemplate analysis,
    Duration maxRollbackTime,
    RunEnvelope run) {
  public static final double DEFAULT_ACCEPTANCE_THRESHOLD = 0.92;
  public static final int DEFAULT_TRAFFIC_PERCENTAGE = 5;
  public static final Duration DEFAULT_MONITORING_DURATION = Duration.ofSeconds(1800);
  public static final Duration DEFAULT_MAX_ROLLBACK_TIME = Duration.ofSeconds(300);

  /** The longest interval of the default analysis. */
  static final long MAX_DEFAULT_INTERVAL_SECONDS = 60;

  /** The full deployment's analyses measure each metric this many times at most. */
  static final int FULL_DEPLOYMENT_COUNT = 3;

  /** Model versions go into the evaluation endpoint's path: a conservative name only. */
  private static final Pattern MODEL_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public MlDeploymentRequest {
    acceptanceThreshold =
        acceptanceThreshold == null ? DEFAULT_ACCEPTANCE_THRESHOLD : acceptanceThreshold;
    trafficPercentage = trafficPercentage == null ? DEFAULT_TRAFFIC_PERCENTAGE : trafficPercentage;
    monitoringDuration =
        monitoringDuration == null ? DEFAULT_MONITORING_DURATION : monitoringDuration;
    maxRollbackTime = maxRollbackTime == null ? DEFAULT_MAX_ROLLBACK_TIME : maxRollbackTime;
    run = run == null ? new RunEnvelope("medium", null, null, null) : run;
  }

  /** The preview Service of the full deployment: the request's, else {@code <service>-preview}. */
  public String previewServiceOrDefault() {
    if (previewService != null && !previewService.isEmpty()) {
      return previewService;
    }
    return target == null || target.service() == null
        ? null
        : target.service() + BlueGreenRequest.PREVIEW_SUFFIX;
  }

  /**
   * The canary's analysis: the request's, else accuracy, latency and error_rate against production
   * measured across the monitoring duration (every {@code min(60 s, duration / 5)}, the last
   * measurement at its end).
   */
  public AnalysisTemplate analysisOrDefault() {
    if (analysis != null) {
      return analysis;
    }
    long seconds = Math.max(1, monitoringDuration.toSeconds());
    long interval = Math.max(1, Math.min(MAX_DEFAULT_INTERVAL_SECONDS, seconds / 5));
    return ModelChecks.versusProduction(interval, (int) Math.max(1, seconds / interval));
  }

  /**
   * The blue-green's pre- and post-promotion analysis: the canary's metrics, at most {@value
   * #FULL_DEPLOYMENT_COUNT} measurements each (the canary already watched the candidate under real
   * traffic; these confirm the preview at full size and after the switch).
   */
  public AnalysisTemplate fullDeploymentAnalysis() {
    AnalysisTemplate canary = analysisOrDefault();
    return new AnalysisTemplate(
        canary.name(),
        canary.metrics().stream()
            .map(
                m ->
                    m.count() <= FULL_DEPLOYMENT_COUNT
                        ? m
                        : m.every(m.intervalSeconds(), FULL_DEPLOYMENT_COUNT)
                            .tolerating(
                                Math.min(m.failureLimit(), FULL_DEPLOYMENT_COUNT - 1),
                                m.inconclusiveLimit()))
            .toList());
  }

  /** The blue-green child's request: the same target, no retry window (this run decides). */
  public BlueGreenRequest fullDeployment() {
    AnalysisTemplate confirm = fullDeploymentAnalysis();
    return new BlueGreenRequest(
        target, previewServiceOrDefault(), confirm, confirm, false, null, Duration.ZERO, run);
  }

  /**
   * Every problem of the request, each starting with the field it is about; empty when the request
   * is usable. The target's and the analysis' rules are the canary's, the preview Service's the
   * blue-green's. Pure: the REST door, the CLI and the workflow's first line call the same rules.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    new CanaryRequest(target, null, analysis, null, null, false, null, null, run)
        .problems()
        .forEach(problems::add);
    if (target != null && target.service() != null) {
      new BlueGreenRequest(target, previewServiceOrDefault(), null, null, false, null, null, run)
          .problems().stream()
              .filter(
                  p ->
                      p.startsWith("previewService") || p.contains(BlueGreenRequest.PREVIEW_SUFFIX))
              .forEach(problems::add);
    }
    if (modelVersion == null || modelVersion.isEmpty()) {
      problems.add(
          "modelVersion: is required (the candidate as the model server names it, e.g. v2)");
    } else if (!MODEL_VERSION.matcher(modelVersion).matches()) {
      problems.add(
          "modelVersion: '"
              + modelVersion
              + "' is not a model version (letters, digits, . _ -, at most 128)");
    }
    if (!Double.isFinite(acceptanceThreshold)
        || acceptanceThreshold <= 0
        || acceptanceThreshold > 1) {
      problems.add(
          "acceptanceThreshold: must be an accuracy above 0 and at most 1, was "
              + acceptanceThreshold);
    }
    if (trafficPercentage < 1 || trafficPercentage > 99) {
      problems.add(
          "trafficPercentage: must be from 1 to 99 (a canary's share), was " + trafficPercentage);
    }
    positive(problems, "monitoringDuration", monitoringDuration);
    positive(problems, "maxRollbackTime", maxRollbackTime);
    return problems;
  }

  private static void positive(List<String> problems, String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      problems.add(field + ": must be positive, was " + value);
    }
  }
}
