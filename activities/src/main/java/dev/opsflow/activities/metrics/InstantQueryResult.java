package dev.opsflow.activities.metrics;

import java.util.List;

/**
 * The answer to an {@link InstantQuery}.
 *
 * @param outcome {@link QueryOutcome#EMPTY} when nothing matched, else {@link QueryOutcome#VALUE}
 * @param samples one entry per matching series, ordered as Prometheus returned them; empty exactly
 *     when the outcome is {@code EMPTY}
 */
public record InstantQueryResult(QueryOutcome outcome, List<MetricSample> samples) {}
