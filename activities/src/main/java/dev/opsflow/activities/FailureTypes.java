package dev.opsflow.activities;

import io.temporal.failure.ApplicationFailure;
import java.util.List;

/**
 * The failure types every activity set uses for errors that a retry cannot fix. Activity options
 * list them as non-retryable ({@link #NON_RETRYABLE}); activities throw them through the factories
 * below so the type names never drift. Anything else an activity throws (connection refused,
 * timeouts, 5xx) is retried by its retry policy.
 */
public final class FailureTypes {
  /** The request itself is wrong (missing field, value out of range). */
  public static final String INVALID_INPUT = "InvalidInput";

  /** The target is outside the safety policy (namespace not allowed, action not permitted). */
  public static final String FORBIDDEN_TARGET = "ForbiddenTarget";

  /** The target does not exist (Deployment, consumer group, database). */
  public static final String NOT_FOUND = "NotFound";

  /** The system refused our credentials (HTTP 401/403, SQL permission denied). */
  public static final String PERMISSION_DENIED = "PermissionDenied";

  /** The channel or system is not configured in opsflow.yaml, so the call cannot be made. */
  public static final String NOT_CONFIGURED = "NotConfigured";

  /**
   * A value that should name a cluster object (namespace, Deployment, container, label selector,
   * consumer group, topic, database) cannot be one; refused before any request is sent.
   */
  public static final String INVALID_NAME = "InvalidName";

  /**
   * The action goes beyond a hard limit of the worker's configuration (replicas above {@code
   * healing.maxReplicas}, memory above {@code healing.memoryCeiling}); whatever the caller asked.
   */
  public static final String POLICY_VIOLATION = "PolicyViolation";

  public static final List<String> NON_RETRYABLE =
      List.of(
          INVALID_INPUT,
          FORBIDDEN_TARGET,
          NOT_FOUND,
          PERMISSION_DENIED,
          NOT_CONFIGURED,
          INVALID_NAME,
          POLICY_VIOLATION);

  private FailureTypes() {}

  public static ApplicationFailure invalidInput(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, INVALID_INPUT);
  }

  public static ApplicationFailure forbiddenTarget(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FORBIDDEN_TARGET);
  }

  public static ApplicationFailure notFound(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, NOT_FOUND);
  }

  public static ApplicationFailure permissionDenied(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, PERMISSION_DENIED);
  }

  /** The name check's refusal, which names the field and shows the value escaped. */
  public static ApplicationFailure invalidName(InvalidNameException refusal) {
    return ApplicationFailure.newNonRetryableFailure(refusal.getMessage(), INVALID_NAME);
  }

  public static ApplicationFailure policyViolation(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, POLICY_VIOLATION);
  }

  public static ApplicationFailure notConfigured(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, NOT_CONFIGURED);
  }

  /** A failure that the retry policy should retry (the system may recover). */
  public static ApplicationFailure retryable(String message, String type, Throwable cause) {
    return ApplicationFailure.newFailureWithCause(message, type, cause);
  }
}
