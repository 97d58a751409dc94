package dev.opsflow.activities;

/**
 * A value that should name a cluster object (namespace, Deployment, consumer group, database) but
 * cannot be one. Thrown by the pure name checks ({@code KubernetesNames}, {@code KafkaNames},
 * {@code PostgresNames}), which know nothing of Temporal; activities turn it into a non-retryable
 * {@link FailureTypes#INVALID_NAME} failure before any request leaves the worker. JDK only.
 */
public final class InvalidNameException extends IllegalArgumentException {
  private final String field;

  /**
   * @param field the request field that carried the value, as the caller spelled it
   * @param value the refused value (shown escaped and cut, never raw)
   * @param rule what a legal value looks like
   */
  public InvalidNameException(String field, String value, String rule) {
    super(field + " " + Printable.quoted(value) + " is not valid: " + rule);
    this.field = field;
  }

  /** The request field that carried the refused value. */
  public String field() {
    return field;
  }
}
