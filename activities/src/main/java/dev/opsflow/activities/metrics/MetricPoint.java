package dev.opsflow.activities.metrics;

/**
 * One point of a series.
 *
 * @param t evaluation time, Unix seconds with millisecond precision
 * @param v the value; may be {@link Double#NaN} or infinite, as in {@link MetricSample}
 */
public record MetricPoint(double t, double v) {}
