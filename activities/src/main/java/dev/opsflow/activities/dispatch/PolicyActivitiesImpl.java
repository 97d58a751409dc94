package dev.opsflow.activities.dispatch;

import dev.opsflow.contracts.remediation.HealingPolicy;
import java.util.function.Supplier;

/** Serves the policy the worker was configured with. */
public final class PolicyActivitiesImpl implements PolicyActivities {
  private final Supplier<HealingPolicy> policy;

  /**
   * @param policy the worker's policy, usually {@code ServerPolicy.from(config)}
   */
  public PolicyActivitiesImpl(Supplier<HealingPolicy> policy) {
    this.policy = policy;
  }

  @Override
  public HealingPolicy serverPolicy() {
    return policy.get();
  }
}
