package dev.opsflow.activities.rollout;

/**
 * The server's bounds on every rollout ({@code rollout.*}), as a run reads them once at its start
 * (so they are in its history and replay). A request may tighten each, never loosen it.
 *
 * @param progressDeadlineSeconds the most progressing and analysing time a canary may take to 100%
 * @param scaleDownDelaySeconds how long a rolled-back canary keeps its pods
 * @param retryWindowSeconds how long a rolled-back canary waits for a retry
 * @param requireApproval every canary asks for approval before its last step
 */
public record RolloutSettings(
    long progressDeadlineSeconds,
    long scaleDownDelaySeconds,
    long retryWindowSeconds,
    boolean requireApproval) {}
