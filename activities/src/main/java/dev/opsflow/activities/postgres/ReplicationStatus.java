package dev.opsflow.activities.postgres;

import java.util.List;

/**
 * Where this server stands in replication.
 *
 * @param inRecovery true on a standby (replica), false on a primary
 * @param replayLagBytes on a standby: WAL received but not yet replayed; null on a primary or when
 *     the standby has no WAL receiver
 * @param replayLagSeconds on a standby: 0 when everything received is replayed, else the age of the
 *     last replayed transaction; null on a primary or before anything was replayed
 * @param replicas the standbys streaming from this server (empty when none)
 */
public record ReplicationStatus(
    boolean inRecovery,
    Long replayLagBytes,
    Double replayLagSeconds,
    List<ReplicaStatus> replicas) {}
