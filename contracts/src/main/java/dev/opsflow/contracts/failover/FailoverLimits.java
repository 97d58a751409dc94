package dev.opsflow.contracts.failover;

/**
 * Limits a failover's caller asks for on top of the server's {@code failover.*} settings. Each is
 * optional (null = the server's) and only ever tightens: a looser value is ignored and noted in the
 * run's status.
 *
 * @param maximumLagOnFailoverBytes an unattended failover only at or below this last known lag
 *     (lower is tighter)
 * @param confirmationWindowSeconds how long the primary must stay down before a failover (longer is
 *     tighter)
 * @param replayTimeoutSeconds how long the fenced primary waits for the replica to replay before a
 *     human is asked (shorter is tighter: writes stay fenced for less time)
 */
public record FailoverLimits(
    Long maximumLagOnFailoverBytes, Long confirmationWindowSeconds, Long replayTimeoutSeconds) {
  /** No limit asked for: the server's settings as they are. */
  public static final FailoverLimits NONE = new FailoverLimits(null, null, null);
}
