package dev.opsflow.activities.postgres;

/**
 * The outcome of {@link PostgresActivities#setDefaultReadOnly}.
 *
 * @param actionId the request's action id
 * @param previousReadOnly {@code default_transaction_read_only} as new sessions saw it before
 * @param readOnly the value new sessions see now
 * @param changed false when the server already had the requested value and nothing was done
 */
public record ReadOnlyFence(
    String actionId, boolean previousReadOnly, boolean readOnly, boolean changed) {}
