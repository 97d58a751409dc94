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
 * @param lagBytes WAL the primary flushed that the replica has not replayed. With the primary down
 *     it is the last known lag: the primary's end of WAL as its WAL sender last reported it to this
 *     replica ({@code pg_stat_wal_receiver.latest_end_lsn}) minus what the replica replayed, while
 *     the replica's WAL receiver still holds its connection; null once the receiver has gone (then
 *     nothing on the replica remembers the primary's position)
 * @param lagSeconds 0 when nothing is left to replay, else the primary's {@code replay_lag} or the
 *     age of the replica's last replayed transaction; null when unknown
 * @param primaryReason why the primary counts as down; null when it is up
 * @param lagSource where the primary's position behind {@code lagBytes} comes from: {@value
 *     #FROM_PRIMARY} (read on the primary now), {@value #FROM_RECEIVER} (the primary's last report
 *     to the replica), null when the lag is unknown
 * @param lagAgeSeconds how old that position is: 0 when read on the primary, else the age of the
 *     primary's last report ({@code now() - latest_end_time}); null when unknown
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
    String primaryReason,
    String lagSource,
    Double lagAgeSeconds) {
  /** The lag was read on both ends just now. */
  public static final String FROM_PRIMARY = "primary";

  /** The lag is the primary's last report to the replica's WAL receiver minus the replay. */
  public static final String FROM_RECEIVER = "receiver";
}
