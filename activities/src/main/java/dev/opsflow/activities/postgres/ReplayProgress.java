package dev.opsflow.activities.postgres;

/**
 * How far a replica is from a target WAL position: {@link FailoverActivities#waitForReplay}'s
 * heartbeat, its result (then {@code gapBytes} is 0) and the details of its {@code ReplayTimeout}
 * failure.
 *
 * @param replica the replica's member name
 * @param targetLsn the position waited for
 * @param replayLsn the last position the replica replayed
 * @param gapBytes WAL between the two that is not replayed yet; 0 once reached
 * @param waitedMillis how long this attempt has waited so far
 */
public record ReplayProgress(
    String replica, String targetLsn, String replayLsn, long gapBytes, long waitedMillis) {}
