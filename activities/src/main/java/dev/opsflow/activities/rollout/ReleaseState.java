package dev.opsflow.activities.rollout;

/**
 * The stable / canary pair as read back after a release step.
 *
 * @param canary the canary Deployment's name
 * @param canaryReplicas its desired replicas
 * @param canaryReady its ready replicas
 * @param stableReplicas the stable Deployment's desired replicas
 * @param stableReady its ready replicas
 * @param capacity the stable's replicas before the rollout: the total both keep (recorded on the
 *     canary as {@value CanaryPair#STABLE_REPLICAS_BEFORE})
 * @param stableImage the stable's image of the rolled-out container now
 * @param stableImageBefore the stable's image before the rollout (recorded on the canary)
 * @param changed whether this call changed anything
 * @param detail what was done, in the operator's words
 */
public record ReleaseState(
    String canary,
    int canaryReplicas,
    int canaryReady,
    int stableReplicas,
    int stableReady,
    int capacity,
    String stableImage,
    String stableImageBefore,
    boolean changed,
    String detail) {}
