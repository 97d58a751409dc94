package dev.opsflow.activities.rollout;

import dev.opsflow.contracts.rollout.RolloutTarget;

/**
 * One change a blue-green release makes to its two colours.
 *
 * @param actionId made in the workflow ({@code Workflow.randomUUID()}): a retry with the same id
 *     changes nothing twice
 * @param rolloutId the workflow ID of the rollout that owns the preview (written on it)
 * @param target the active Deployment, the active Service and the new image
 * @param previewService the Service in front of the preview colour
 */
public record ColourRequest(
    String actionId, String rolloutId, RolloutTarget target, String previewService) {}
