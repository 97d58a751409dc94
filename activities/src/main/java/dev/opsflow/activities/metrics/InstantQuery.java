package dev.opsflow.activities.metrics;

/**
 * A PromQL expression evaluated at one instant.
 *
 * @param query the PromQL expression, e.g. {@code sum(kafka_consumergroup_lag{group="billing"})}
 * @param timeEpochSeconds evaluation time in Unix seconds; {@code null} means "now" on the
 *     Prometheus server
 */
public record InstantQuery(String query, Long timeEpochSeconds) {

  /** The query evaluated at the server's current time. */
  public static InstantQuery now(String query) {
    return new InstantQuery(query, null);
  }
}
