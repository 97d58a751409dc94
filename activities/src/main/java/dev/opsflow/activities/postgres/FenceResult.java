package dev.opsflow.activities.postgres;

import java.util.List;

/**
 * The outcome of {@link FailoverActivities#fence} or {@link FailoverActivities#unfence}.
 *
 * @param actionId the request's action id
 * @param member the member acted on
 * @param fenced whether new transactions are read-only now, as a new session saw it after the call
 * @param changed false when the member was already in that state and its configuration was left
 *     alone
 * @param sessionsEnded the client sessions (process ids) this call ended because their transaction
 *     could still write; empty for an unfence
 */
public record FenceResult(
    String actionId, String member, boolean fenced, boolean changed, List<Integer> sessionsEnded) {}
