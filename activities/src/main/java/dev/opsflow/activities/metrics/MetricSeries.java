package dev.opsflow.activities.metrics;

import java.util.List;
import java.util.Map;

/**
 * One series of a range query. Steps where the series had no value are absent, so points are not
 * necessarily evenly spaced.
 *
 * @param labels the series' labels
 * @param points the values in time order
 */
public record MetricSeries(Map<String, String> labels, List<MetricPoint> points) {}
