package dev.opsflow.activities.diagnostics;

import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Reachability checks of the systems opsflow is configured to act on (read-only, no side effects).
 */
@ActivityInterface
public interface ConnectivityActivities {
  /** The systems the worker is configured for (Temporal, Kubernetes, Kafka, PostgreSQL, ...). */
  List<ProbeTarget> configuredTargets();

  /**
   * Opens (and closes) a TCP connection to the target. An unreachable target is a result, not a
   * failure; a malformed endpoint fails with {@code InvalidInput}.
   */
  ProbeResult probe(ProbeTarget target);
}
