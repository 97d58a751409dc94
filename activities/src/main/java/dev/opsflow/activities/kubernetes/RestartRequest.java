package dev.opsflow.activities.kubernetes;

/** Restart a Deployment's pods as {@code kubectl rollout restart} does. */
public record RestartRequest(String actionId, String namespace, String name) {}
