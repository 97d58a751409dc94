package dev.opsflow.contracts.remediation;

import java.util.List;
import java.util.Map;

/**
 * @param check kafka, postgres, pods or disk
 * @param targets what to check
 * @param policy thresholds and intervals
 * @param iteration checks run so far (carried across continue-as-new)
 * @param problemSince when each current problem was first seen (key: workflow ID of its
 *     remediation): one unbroken streak is one episode, so re-detections are duplicates, and a
 *     problem that clears and comes back is a new episode
 */
public record WatchdogInput(
    String check,
    List<Target> targets,
    HealingPolicy policy,
    long iteration,
    Map<String, Long> problemSince) {
  public WatchdogInput {
    targets = targets == null ? List.of() : List.copyOf(targets);
    problemSince = problemSince == null ? Map.of() : Map.copyOf(problemSince);
  }

  public static String workflowId(String check) {
    return "watchdog-" + check;
  }
}
