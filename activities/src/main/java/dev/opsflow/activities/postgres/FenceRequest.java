package dev.opsflow.activities.postgres;

/**
 * Fence a primary's writes ({@link FailoverActivities#fence}).
 *
 * @param actionId made by the workflow, logged with what was done
 * @param member the primary's member name
 * @param endWriteSessions also end the client sessions whose transaction could still write: every
 *     one with an open transaction (see {@link FailoverActivities#fence})
 */
public record FenceRequest(String actionId, String member, boolean endWriteSessions) {}
