package dev.opsflow.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Latencies of one series in one round, in milliseconds; safe to add to from many threads. */
final class Samples {
  private final List<Double> millis = new ArrayList<>();

  synchronized void addNanos(long nanos) {
    millis.add(nanos / 1e6);
  }

  synchronized void addMillis(double value) {
    millis.add(value);
  }

  synchronized int count() {
    return millis.size();
  }

  /** The value at quantile {@code q} (0..1), nearest rank; NaN when empty. */
  synchronized double quantile(double q) {
    if (millis.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = sorted();
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  double p50() {
    return quantile(0.50);
  }

  double p99() {
    return quantile(0.99);
  }

  synchronized double max() {
    return millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  synchronized double mean() {
    return millis.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  synchronized double[] sorted() {
    double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(values);
    return values;
  }
}
