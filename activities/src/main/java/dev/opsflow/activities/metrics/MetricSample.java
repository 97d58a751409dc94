package dev.opsflow.activities.metrics;

import java.util.Map;

/**
 * One value of an instant query.
 *
 * @param labels the series' labels (empty for a scalar result)
 * @param value the value; Prometheus' {@code NaN}, {@code +Inf} and {@code -Inf} arrive as {@link
 *     Double#NaN}, {@link Double#POSITIVE_INFINITY} and {@link Double#NEGATIVE_INFINITY}, so check
 *     {@link Double#isFinite(double)} before comparing with a threshold
 * @param timestampEpochSeconds evaluation time, Unix seconds with millisecond precision
 */
public record MetricSample(
    Map<String, String> labels, double value, double timestampEpochSeconds) {}
