package dev.opsflow.activities.rollout;

import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;

/**
 * Asks a router to give the new version {@code weight} percent of the traffic.
 *
 * @param actionId made in the workflow ({@code Workflow.randomUUID()}): a retry with the same id
 *     changes nothing twice
 * @param target the rollout's target
 * @param router the router chosen for the run
 * @param weight 0-100
 */
public record WeightRequest(
    String actionId, RolloutTarget target, TrafficRouterSpec router, int weight) {}
