package dev.opsflow.activities.rollout;

/**
 * How a router splits traffic, as read back from the system after a change (never as asked for).
 *
 * @param canaryWeight the new version's traffic percentage, 0-100
 * @param stableWeight the stable version's traffic percentage, 0-100
 * @param changed whether this call changed anything (false when the weight was already set, e.g. on
 *     a retry)
 * @param detail what the system holds, in the operator's words (e.g. {@code canary 1/20 replicas
 *     ready, stable 20/20})
 */
public record RouterState(int canaryWeight, int stableWeight, boolean changed, String detail) {
  public RouterState {
    detail = detail == null ? "" : detail;
  }
}
