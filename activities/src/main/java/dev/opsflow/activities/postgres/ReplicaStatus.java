package dev.opsflow.activities.postgres;

/**
 * One standby streaming from this server (a row of {@code pg_stat_replication}).
 *
 * @param applicationName the standby's {@code application_name} (its name in {@code
 *     synchronous_standby_names})
 * @param clientAddr the standby's IP address; null when it connects over a Unix socket
 * @param state {@code startup}, {@code catchup}, {@code streaming}, {@code backup} or {@code
 *     stopping}
 * @param sentLsn last WAL position sent, e.g. {@code 0/3000148}; null when our role may not see it
 * @param replayLsn last WAL position the standby replayed; null when unknown
 * @param lagBytes WAL this server has written that the standby has not replayed yet; null when
 *     unknown
 * @param replayLagSeconds the standby's {@code replay_lag}; null when idle or unknown
 */
public record ReplicaStatus(
    String applicationName,
    String clientAddr,
    String state,
    String sentLsn,
    String replayLsn,
    Long lagBytes,
    Double replayLagSeconds) {}
