package dev.opsflow.activities.postgres;

/**
 * Wait for a replica to replay up to a WAL position ({@link FailoverActivities#waitForReplay}).
 *
 * @param actionId made by the workflow
 * @param replica the replica's member name
 * @param lsn the position to reach, as {@link FinalPosition#lsn()} gave it
 * @param timeoutSeconds how long to wait at most, 1 to 3600
 */
public record ReplayRequest(String actionId, String replica, String lsn, long timeoutSeconds) {}
