package dev.opsflow.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * One line of the results table: a measurement taken once per round on opsflow and, in the same
 * round, on bare Temporal; reported as min / median / max over the rounds, with the goal it is held
 * to, if any.
 */
final class Figure {
  final String benchmark;
  final String name;
  final String unit;
  final List<Double> opsflow = new ArrayList<>();
  final List<Double> bare = new ArrayList<>();
  private String goal = "";
  private BiPredicate<Double, Double> meets;

  Figure(String benchmark, String name, String unit) {
    this.benchmark = benchmark;
    this.name = name;
    this.unit = unit;
  }

  /**
   * The goal in words, and the test of it on the medians over rounds (opsflow's, bare's; bare is
   * NaN when the figure has no bare pair).
   */
  Figure goal(String text, BiPredicate<Double, Double> test) {
    this.goal = text;
    this.meets = test;
    return this;
  }

  synchronized void opsflow(double value) {
    opsflow.add(value);
  }

  synchronized void bare(double value) {
    bare.add(value);
  }

  String goal() {
    return goal;
  }

  /** PASS, MISS, or empty when the figure has no goal or no value yet. */
  synchronized String verdict() {
    if (meets == null || opsflow.isEmpty()) {
      return "";
    }
    double ours = median(opsflow);
    return meets.test(ours, bare.isEmpty() ? Double.NaN : median(bare)) ? "PASS" : "MISS";
  }

  /** opsflow's median over bare's; NaN without a bare pair. */
  synchronized double ratio() {
    if (opsflow.isEmpty() || bare.isEmpty()) {
      return Double.NaN;
    }
    return median(opsflow) / median(bare);
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
