package dev.opsflow.activities.postgres;

/**
 * How far a candidate replica trails its primary, seen from both ends ({@link
 * FailoverActivities#replicationState}).
 *
 * @param primary the primary's member name
 * @param replica the replica's member name
 * @param primaryUp false when the primary could not be reached (then the primary's fields are null
 *     and the lag is unknown)
 * @param replicaInRecovery false when the "replica" is in fact a primary (it cannot be promoted)
 * @param streaming true when the replica's WAL receiver streams and, if the primary is up, the
 *     primary lists it as streaming
 * @param senderState the primary's {@code pg_stat_replication.state} for this replica; null when
 *     the primary is down or does not list it
 * @param receiverStatus the replica's {@code pg_stat_wal_receiver.status}; null when it has no WAL
 *     receiver
 * @param primaryFlushLsn the primary's flushed WAL position; null when it is down
 * @param receiveLsn the last WAL position the replica received
 * @param replayLsn the last WAL position the replica replayed
 * @param lagBytes WAL the primary flushed that the replica has not replayed; null when the primary
 *     is down
 * @param lagSeconds 0 when nothing is left to replay, else the primary's {@code replay_lag} or the
 *     age of the replica's last replayed transaction; null when unknown
 * @param primaryReason why the primary counts as down; null when it is up
 */
public record ReplicationState(
    String primary,
    String replica,
    boolean primaryUp,
    boolean replicaInRecovery,
    boolean streaming,
    String senderState,
    String receiverStatus,
    String primaryFlushLsn,
    String receiveLsn,
    String replayLsn,
    Long lagBytes,
    Double lagSeconds,
    String primaryReason) {}
