package dev.opsflow.activities.postgres;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The failover clusters the worker's configuration knows ({@code failover.clusters}). */
@ActivityInterface
public interface FailoverClusterActivities {
  /**
   * The topology and settings of {@code cluster}. Read-only.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@code NotConfigured} for a
   *     cluster the configuration does not have (the message lists those it has)
   */
  @ActivityMethod
  FailoverCluster cluster(String cluster);
}
