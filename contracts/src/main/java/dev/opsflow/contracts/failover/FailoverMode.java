package dev.opsflow.contracts.failover;

/** How the primary stands when a failover is asked for. */
public enum FailoverMode {
  /** Planned: the primary is healthy, is fenced first, and no committed write may be lost. */
  SWITCHOVER,
  /**
   * The primary is down: confirmed down by several failed probes first, then promoted with the
   * data-loss figure (the last known replication lag) shown to whoever decides.
   */
  FAILOVER
}
