package dev.opsflow.activities.postgres;

/**
 * One look at a cluster member, as {@link FailoverActivities#probe} saw it. A member that cannot be
 * reached is a result ({@code up = false}), not a failure, so that a workflow can count failed
 * probes over a confirmation window before it calls a primary down.
 *
 * @param member the member's name
 * @param up true when a session could be opened and answered
 * @param inRecovery true on a standby; null when down
 * @param fenced true when new transactions are read-only ({@code default_transaction_read_only});
 *     null when down
 * @param flushLsn on a primary, the WAL position flushed so far ({@code pg_current_wal_flush_lsn});
 *     null on a standby or when down
 * @param receiveLsn on a standby, the last WAL position received; null otherwise
 * @param replayLsn on a standby (or a promoted one), the last WAL position replayed; null otherwise
 * @param reason why the member counts as down (the driver's message, no credentials); null when up
 */
public record MemberProbe(
    String member,
    boolean up,
    Boolean inRecovery,
    Boolean fenced,
    String flushLsn,
    String receiveLsn,
    String replayLsn,
    String reason) {}
