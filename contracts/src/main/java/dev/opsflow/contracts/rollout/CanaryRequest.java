package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.run.RunEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Asks for one canary release. As tctl JSON: {@code
 * {"target":{"namespace":"shop","service":"web","deployment":"web","image":"web:2"},
 * "analysis":{"name":"http","metrics":[...]},"router":{"type":"replicaRatio"}}}.
 *
 * @param target the Deployment, its Service and the new image
 * @param steps the steps; null or empty = 5% -> 25% -> 50% -> 100%, each paused {@link
 *     #DEFAULT_PAUSE}
 * @param analysis the metrics measured during every pause; null = the built-in error-rate check
 * @param router how traffic is split; null = {@link TrafficRouterSpec.ReplicaRatio}
 * @param progressDeadline the whole rollout must reach 100% within this, else it rolls back; null =
 *     the server's default
 * @param approveBeforeFull whether a human must approve before the last step (100%)
 * @param scaleDownDelay after a rollback, how long the canary keeps its pods before it is scaled to
 *     zero (for a post-mortem look); null = the server's default
 * @param retryWindow after a rollback, how long the run waits for {@code retry} before it ends;
 *     null = the server's default, zero = end at once
 * @param run severity, the alert that asked, who asked, human policy
 */
public record CanaryRequest(
    RolloutTarget target,
    List<CanaryStep> steps,
    AnalysisTemplate analysis,
    TrafficRouterSpec router,
    Duration progressDeadline,
    boolean approveBeforeFull,
    Duration scaleDownDelay,
    Duration retryWindow,
    RunEnvelope run) {
  /** The pause of each default step. */
  public static final Duration DEFAULT_PAUSE = Duration.ofMinutes(5);

  /** The default steps: 5% -> 25% -> 50% -> 100%. */
  public static final List<CanaryStep> DEFAULT_STEPS =
      List.of(
          new CanaryStep(5, DEFAULT_PAUSE),
          new CanaryStep(25, DEFAULT_PAUSE),
          new CanaryStep(50, DEFAULT_PAUSE),
          new CanaryStep(100, Duration.ZERO));

  public CanaryRequest {
    steps = steps == null || steps.isEmpty() ? DEFAULT_STEPS : List.copyOf(steps);
    router = router == null ? new TrafficRouterSpec.ReplicaRatio() : router;
    run = run == null ? new RunEnvelope("medium", null, null, null) : run;
  }

  // The API server's own rules (apimachinery validation): namespaces and containers are DNS-1123
  // labels, Deployments DNS-1123 subdomains, Services DNS-1035 labels.
  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL);
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  /** An image reference: no whitespace, no control characters, at most 4096 characters. */
  private static final Pattern IMAGE = Pattern.compile("[^\\s\\p{Cntrl}]{1,4096}");

  /** The analysis a request without one gets: the canary's 5xx share stays below 1%. */
  public AnalysisTemplate analysisOrDefault() {
    return analysis != null
        ? analysis
        : new AnalysisTemplate("error-rate", List.of(BuiltInChecks.errorRateBelow(0.01)));
  }

  /**
   * Every problem of the request that needs neither the cluster nor an expression compiler, each
   * starting with the field it is about (e.g. {@code steps[2].weight: ...}, {@code
   * analysis.metrics[error-rate].count: ...}); empty when the request is usable. Pure: the REST
   * door, the CLI and the workflow's first line call the same rules.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    targetProblems(problems);
    stepProblems(problems);
    positive(problems, "progressDeadline", progressDeadline);
    notNegative(problems, "scaleDownDelay", scaleDownDelay);
    notNegative(problems, "retryWindow", retryWindow);
    if (analysis != null) {
      for (String problem : analysis.problems()) {
        problems.add("analysis." + problem);
      }
    }
    routerProblems(problems);
    return problems;
  }

  private void targetProblems(List<String> problems) {
    if (target == null) {
      problems.add("target: is required (namespace, service, deployment, image)");
      return;
    }
    name(problems, "target.namespace", target.namespace(), DNS1123_LABEL, 63, "a DNS-1123 label");
    name(problems, "target.service", target.service(), DNS1035_LABEL, 63, "a DNS-1035 label");
    // The canary is named <deployment>-canary, so the stable's name leaves room for the suffix.
    name(
        problems,
        "target.deployment",
        target.deployment(),
        DNS1123_SUBDOMAIN,
        253 - "-canary".length(),
        "a DNS-1123 subdomain");
    if (target.container() != null && !target.container().isEmpty()) {
      name(problems, "target.container", target.container(), DNS1123_LABEL, 63, "a DNS-1123 label");
    }
    if (target.image() == null || target.image().isBlank()) {
      problems.add("target.image: is required (the new version's image, e.g. web:2)");
    } else if (!IMAGE.matcher(target.image()).matches()) {
      problems.add("target.image: '" + target.image() + "' is not an image reference");
    }
  }

  private void stepProblems(List<String> problems) {
    int previous = 0;
    for (int i = 0; i < steps.size(); i++) {
      CanaryStep step = steps.get(i);
      String field = "steps[" + i + "]";
      if (step == null) {
        problems.add(field + ": is empty");
        continue;
      }
      if (step.weight() < 1 || step.weight() > 100) {
        problems.add(field + ".weight: " + step.weight() + " is not a percentage from 1 to 100");
      } else if (step.weight() <= previous) {
        problems.add(
            field
                + ".weight: "
                + step.weight()
                + " does not rise above the step before ("
                + previous
                + ")");
      }
      if (step.weight() >= 1 && step.weight() <= 100) {
        previous = Math.max(previous, step.weight()); // an invalid weight is reported once
      }
      notNegative(problems, field + ".pause", step.pause());
    }
    CanaryStep last = steps.get(steps.size() - 1);
    if (last != null && last.weight() != 100) {
      problems.add(
          "steps["
              + (steps.size() - 1)
              + "].weight: the last step must give the new version 100, was "
              + last.weight());
    }
  }

  private void routerProblems(List<String> problems) {
    if (router instanceof TrafficRouterSpec.HttpRoute r) {
      name(problems, "router.route", r.route(), DNS1123_SUBDOMAIN, 253, "a DNS-1123 subdomain");
      name(
          problems, "router.stableBackend", r.stableBackend(), DNS1035_LABEL, 63, "a Service name");
      name(
          problems, "router.canaryBackend", r.canaryBackend(), DNS1035_LABEL, 63, "a Service name");
      if (r.stableBackend() != null && r.stableBackend().equals(r.canaryBackend())) {
        problems.add("router.canaryBackend: must differ from router.stableBackend");
      }
    } else if (router instanceof TrafficRouterSpec.FeatureFlag f) {
      if (f.service() == null || f.service().isBlank()) {
        problems.add("router.service: is required (the flag service's name in the configuration)");
      }
      if (f.flag() == null || f.flag().isBlank()) {
        problems.add("router.flag: is required (the flag's key)");
      } else if (f.flag().length() > 253 || !f.flag().matches("[A-Za-z0-9._-]+")) {
        problems.add("router.flag: '" + f.flag() + "' is not a flag key (letters, digits, . _ -)");
      }
    }
  }

  private static void name(
      List<String> problems, String field, String value, Pattern rule, int max, String what) {
    if (value == null || value.isEmpty()) {
      problems.add(field + ": is required");
    } else if (value.length() > max || !rule.matcher(value).matches()) {
      problems.add(
          field + ": '" + value + "' is not " + what + " (at most " + max + " characters)");
    }
  }

  private static void positive(List<String> problems, String field, Duration value) {
    if (value != null && (value.isNegative() || value.isZero())) {
      problems.add(field + ": must be positive, was " + value);
    }
  }

  private static void notNegative(List<String> problems, String field, Duration value) {
    if (value != null && value.isNegative()) {
      problems.add(field + ": must not be negative, was " + value);
    }
  }
}
