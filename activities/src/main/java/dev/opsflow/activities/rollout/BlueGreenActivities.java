package dev.opsflow.activities.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What a blue-green release does to the cluster beside repointing Services ({@code
 * KubernetesActivities.patchServiceSelector} does that): the preview colour {@code
 * <deployment>-preview} beside the active Deployment, the final promotion of the original
 * Deployment, and the preview's scale-down. Every change checks {@code
 * kubernetes.allowedNamespaces} and {@code healing.maxReplicas} in the activity (through {@link
 * CanaryPair}, as the canary's release steps do), compares desired with actual state first (a retry
 * changes nothing twice), and never deletes a pod or a Deployment.
 *
 * <p>The preview's pods carry the active pod template's labels except the keys the active Service
 * selects on, plus {@value BlueGreenActivitiesImpl#PREVIEW_OF} and {@value
 * BlueGreenActivitiesImpl#COLOUR}{@code =preview}: the active Service never reaches them until its
 * selector is switched to those two labels, and switching back is one selector write.
 *
 * <p>Failures: {@code InvalidName}, {@code ForbiddenTarget} (namespace not allowed, or a {@code
 * <deployment>-preview} that is not opsflow's), {@code PolicyViolation} (above the replica
 * ceiling), {@code NotFound} (no active Deployment, Service or container) are non-retryable;
 * {@value CanaryPair#NOT_READY} and API trouble are retried.
 */
@ActivityInterface(namePrefix = "BlueGreen")
public interface BlueGreenActivities {
  /**
   * Creates (or updates) the preview: a copy of the active Deployment's pod template with the new
   * image at the active's replica count, waits until its pods are ready, and points the preview
   * Service at them. Heartbeats. The answer carries both selectors the workflow switches between.
   */
  @ActivityMethod
  ColourState deployPreview(ColourRequest request);

  /**
   * Makes the release durable without renaming anything: the original Deployment gets the new image
   * at its replica count and the call waits until its rollout is complete. Heartbeats. The workflow
   * then points the active Service back at it and scales the preview down.
   */
  @ActivityMethod
  ColourState promoteActive(ColourRequest request);

  /** Scales the preview to 0 (its pods go, the Deployment stays for a look and the next run). */
  @ActivityMethod
  ColourState scalePreviewDown(ColourRequest request);
}
