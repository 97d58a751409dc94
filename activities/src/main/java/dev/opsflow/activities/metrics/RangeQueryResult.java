package dev.opsflow.activities.metrics;

import java.util.List;

/**
 * The answer to a {@link RangeQuery}.
 *
 * @param outcome {@link QueryOutcome#EMPTY} when no series matched, else {@link QueryOutcome#VALUE}
 * @param series one entry per matching series
 */
public record RangeQueryResult(QueryOutcome outcome, List<MetricSeries> series) {}
