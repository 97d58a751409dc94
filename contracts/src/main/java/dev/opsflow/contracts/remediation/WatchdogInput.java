package dev.opsflow.contracts.remediation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * @param check kafka, postgres, pods or disk
 * @param targets what to check, each the target record of the check's procedure (on the wire a flat
 *     object of its fields, as {@link RemediationRequest}'s target)
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

  /** Reads each target as the record of the check's procedure; never throws. */
  @JsonCreator
  static WatchdogInput fromJson(
      @JsonProperty("check") String check,
      @JsonProperty("targets") List<Map<String, String>> targets,
      @JsonProperty("policy") HealingPolicy policy,
      @JsonProperty("iteration") long iteration,
      @JsonProperty("problemSince") Map<String, Long> problemSince) {
    String procedure = procedureOf(check);
    List<Target> typed =
        targets == null ? List.of() : targets.stream().map(t -> Target.of(procedure, t)).toList();
    return new WatchdogInput(check, typed, policy, iteration, problemSince);
  }

  /** The remediation a check's findings start (the pods check starts crash-loop and OOM runs). */
  public static String procedureOf(String check) {
    return switch (check == null ? "" : check) {
      case "kafka" -> "KafkaLagRemediation";
      case "postgres" -> "PostgresConnectionRemediation";
      case "disk" -> "DiskPressureRemediation";
      default -> "CrashLoopRemediation";
    };
  }

  public static String workflowId(String check) {
    return "watchdog-" + check;
  }
}
