package dev.opsflow.sandbox.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Decides each request's status and duration from the serving version's {@link ImageBehaviour}.
 * Errors are evenly spaced per Deployment (a 10% version fails every tenth request, a 0.2% one
 * every 500th), not drawn at random, so that a one-minute analysis window measures the version's
 * rate and not luck: a good canary with a few hundred requests never shows 1% by chance. Durations
 * are drawn uniformly between the behaviour's bounds from a seeded generator.
 */
final class RequestOutcomes {
  /** One request's answer. */
  record Outcome(int code, double latencySeconds) {}

  private final Map<String, Double> errorsDue = new HashMap<>();
  private final Random random;

  RequestOutcomes(long seed) {
    this.random = new Random(seed);
  }

  synchronized Outcome next(String deployment, String image) {
    ImageBehaviour behaviour = ImageBehaviour.of(image);
    double due = errorsDue.getOrDefault(deployment, 0.0) + behaviour.errorRatio();
    boolean fails = due >= 1 - 1e-9;
    errorsDue.put(deployment, fails ? due - 1 : due);
    double latency =
        behaviour.minLatencySeconds()
            + random.nextDouble() * (behaviour.maxLatencySeconds() - behaviour.minLatencySeconds());
    return new Outcome(fails ? 500 : 200, latency);
  }
}
