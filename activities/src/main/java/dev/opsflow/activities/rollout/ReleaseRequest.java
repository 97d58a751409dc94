package dev.opsflow.activities.rollout;

import dev.opsflow.contracts.rollout.RolloutTarget;

/**
 * One change a release makes to its stable / canary pair.
 *
 * @param actionId made in the workflow ({@code Workflow.randomUUID()}): a retry with the same id
 *     changes nothing twice
 * @param rolloutId the workflow ID of the rollout that owns the canary (written on it)
 * @param target the stable Deployment, its Service and the new image
 * @param weight the new version's traffic percentage the change prepares for (0-100); used by
 *     {@link ReleaseActivities#scaleCanary}, ignored elsewhere
 */
public record ReleaseRequest(String actionId, String rolloutId, RolloutTarget target, int weight) {}
