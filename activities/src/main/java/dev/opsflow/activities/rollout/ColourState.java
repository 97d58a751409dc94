package dev.opsflow.activities.rollout;

import java.util.Map;

/**
 * The two colours as read back after a blue-green step.
 *
 * @param preview the preview Deployment's name ({@code <deployment>-preview})
 * @param previewReplicas its desired replicas
 * @param previewReady its ready replicas
 * @param activeReplicas the active (original) Deployment's desired replicas
 * @param activeImage the active Deployment's image of the rolled-out container now
 * @param activeSelector the active Service's selector before the release: what selects the old
 *     colour's pods, and what it points at again after a rollback or the final promotion
 * @param previewSelector the labels that select the preview's pods (and only them)
 * @param changed whether this call changed anything
 * @param detail what was done, in the operator's words
 */
public record ColourState(
    String preview,
    int previewReplicas,
    int previewReady,
    int activeReplicas,
    String activeImage,
    Map<String, String> activeSelector,
    Map<String, String> previewSelector,
    boolean changed,
    String detail) {}
