package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.run.RunEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Asks for one blue-green release. As tctl JSON: {@code
 * {"target":{"namespace":"shop","service":"web","deployment":"web","image":"web:2"},
 * "previewService":"web-preview","analysis":{"name":"http","metrics":[...]}}}.
 *
 * @param target the active Deployment, the active Service in front of it and the new image
 * @param previewService the Service that reaches the preview colour before the switch (it must
 *     exist; its selector is pointed at the preview's pods)
 * @param analysis the pre-promotion analysis, measured against the preview before the switch; null
 *     = the built-in error-rate check
 * @param postAnalysis the post-promotion analysis, measured while the preview takes the traffic and
 *     the old colour is kept; null = the same metrics as {@code analysis}
 * @param approveBeforeSwitch whether a human must approve before the active Service switches
 * @param scaleDownDelay how long after the switch the old colour keeps its pods as the rollback
 *     window; null = the server's default ({@code rollout.scaleDownDelay}, 30 s)
 * @param retryWindow after a rollback, how long the run waits for {@code retry} before it ends;
 *     null = the server's default, zero = end at once
 * @param run severity, the alert that asked, who asked, human policy
 */
public record BlueGreenRequest(
    RolloutTarget target,
    String previewService,
    AnalysisTemplate analysis,
    AnalysisTemplate postAnalysis,
    boolean approveBeforeSwitch,
    Duration scaleDownDelay,
    Duration retryWindow,
    RunEnvelope run) {
  /** The preview Deployment's name is the active one's with this. */
  public static final String PREVIEW_SUFFIX = "-preview";

  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  public BlueGreenRequest {
    run = run == null ? new RunEnvelope("medium", null, null, null) : run;
  }

  /** The preview colour's Deployment for an active Deployment: {@code <deployment>-preview}. */
  public static String previewOf(String deployment) {
    return deployment + PREVIEW_SUFFIX;
  }

  /** The pre-promotion analysis a request without one gets: the preview's 5xx share below 1%. */
  public AnalysisTemplate analysisOrDefault() {
    return analysis != null
        ? analysis
        : new AnalysisTemplate("error-rate", List.of(BuiltInChecks.errorRateBelow(0.01)));
  }

  /** The post-promotion analysis: the request's, else the pre-promotion one. */
  public AnalysisTemplate postAnalysisOrDefault() {
    return postAnalysis != null ? postAnalysis : analysisOrDefault();
  }

  /**
   * Every problem of the request that needs neither the cluster nor an expression compiler, each
   * starting with the field it is about; empty when the request is usable. The target's, the
   * analysis' and the durations' rules are the canary's ({@link CanaryRequest#problems()}).
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    // The canary's rules for the shared fields; its steps and router are its defaults here.
    new CanaryRequest(target, null, analysis, null, null, false, scaleDownDelay, retryWindow, run)
        .problems()
        .forEach(problems::add);
    if (postAnalysis != null) {
      for (String problem : postAnalysis.problems()) {
        problems.add("postAnalysis." + problem);
      }
    }
    if (target != null
        && target.deployment() != null
        && target.deployment().length() > 253 - PREVIEW_SUFFIX.length()) {
      problems.add(
          "target.deployment: at most "
              + (253 - PREVIEW_SUFFIX.length())
              + " characters, so that "
              + PREVIEW_SUFFIX
              + " fits");
    }
    if (previewService == null || previewService.isEmpty()) {
      problems.add("previewService: is required (the Service that reaches the preview colour)");
    } else if (previewService.length() > 63 || !DNS1035_LABEL.matcher(previewService).matches()) {
      problems.add(
          "previewService: '"
              + previewService
              + "' is not a DNS-1035 label (at most 63 characters)");
    } else if (target != null && previewService.equals(target.service())) {
      problems.add("previewService: must differ from target.service (the active Service)");
    }
    return problems;
  }
}
