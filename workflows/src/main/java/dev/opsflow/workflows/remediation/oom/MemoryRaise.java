package dev.opsflow.workflows.remediation.oom;

import dev.opsflow.config.Quantities;
import java.util.Optional;

/**
 * The new memory limit for a container that was OOMKilled, as the Vertical Pod Autoscaler sizes it:
 * {@code max(current + minStep, current x factor)}, never above the ceiling. The request grows in
 * the same proportion (so the scheduler reserves what the pod now uses), never above the limit.
 */
public final class MemoryRaise {
  /** The raised values as Kubernetes quantities. */
  public record Raised(String limit, String request) {}

  private MemoryRaise() {}

  /**
   * @param currentLimit e.g. {@code 1Gi}
   * @param currentRequest e.g. {@code 512Mi} (empty when the container has none)
   * @return the raise, or empty when the limit is already at the ceiling (escalate instead)
   */
  public static Optional<Raised> raise(
      String currentLimit, String currentRequest, double factor, String minStep, String ceiling) {
    long limit = Quantities.parseBytes(currentLimit);
    long max = Quantities.parseBytes(ceiling);
    if (limit >= max) {
      return Optional.empty();
    }
    long raised =
        Math.max(limit + Quantities.parseBytes(minStep), (long) Math.ceil(limit * factor));
    long newLimit = Math.min(raised, max);
    String request = "";
    if (currentRequest != null && !currentRequest.isBlank()) {
      long req = Quantities.parseBytes(currentRequest);
      long scaled = (long) Math.ceil(req * ((double) newLimit / limit));
      request = Quantities.format(Math.min(scaled, newLimit));
    }
    return Optional.of(new Raised(Quantities.format(newLimit), request));
  }
}
