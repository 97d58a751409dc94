package dev.opsflow.sandbox.traffic;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Picks which Deployment serves the next request so that, over any run of requests, each gets its
 * share as closely as whole requests allow (nginx's smooth weighted round robin): with shares 0.05
 * and 0.95, exactly one request in twenty goes to the first. No randomness, so a short analysis
 * window sees the same split as a long one.
 */
final class WeightedRoundRobin {
  /** Stands for the share nobody serves. */
  private static final String UNSERVED = "";

  private final Map<String, Double> current = new HashMap<>();

  /** The Deployment for the next request, or empty when this one falls in the unserved share. */
  synchronized Optional<String> next(TrafficSplit split) {
    Map<String, Double> weights = new LinkedHashMap<>();
    split.shares().forEach(s -> weights.merge(s.version().deployment(), s.share(), Double::sum));
    weights.put(UNSERVED, split.unserved());
    current.keySet().retainAll(weights.keySet());
    String best = null;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Double> w : weights.entrySet()) {
      double value = current.merge(w.getKey(), w.getValue(), Double::sum);
      if (w.getValue() > 0 && value > bestValue) {
        best = w.getKey();
        bestValue = value;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    current.merge(best, -total, Double::sum);
    return best.equals(UNSERVED) ? Optional.empty() : Optional.of(best);
  }
}
