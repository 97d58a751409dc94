package dev.opsflow.activities.kubernetes;

/**
 * One container's status.
 *
 * @param state running, waiting or terminated
 * @param stateReason e.g. CrashLoopBackOff (waiting) or Error (terminated); empty when running
 * @param lastTerminationReason why the previous instance ended, e.g. OOMKilled; empty if none
 */
public record ContainerState(
    String name,
    boolean ready,
    int restartCount,
    String state,
    String stateReason,
    String lastTerminationReason,
    int lastTerminationExitCode) {}
