package dev.opsflow.activities.postgres;

/**
 * Where a fenced primary's WAL ends ({@link FailoverActivities#finalLsn}): every transaction it
 * committed is at or before {@code lsn}, so a replica that replayed up to it has lost nothing.
 *
 * @param actionId the request's action id
 * @param member the primary's member name
 * @param lsn the end of the WAL switch record written after the fence, e.g. {@code 0/3000148}
 */
public record FinalPosition(String actionId, String member, String lsn) {}
