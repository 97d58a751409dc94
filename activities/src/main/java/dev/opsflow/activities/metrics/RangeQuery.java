package dev.opsflow.activities.metrics;

/**
 * A PromQL expression evaluated at every step between two instants (inclusive), e.g. the last hour
 * of lag at one-minute resolution, as input to a forecast.
 *
 * @param query the PromQL expression
 * @param startEpochSeconds first evaluation time, Unix seconds
 * @param endEpochSeconds last evaluation time, Unix seconds; not before the start
 * @param stepSeconds distance between evaluations; greater than zero
 */
public record RangeQuery(
    String query, long startEpochSeconds, long endEpochSeconds, long stepSeconds) {}
