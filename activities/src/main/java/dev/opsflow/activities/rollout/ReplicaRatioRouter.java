package dev.opsflow.activities.rollout;

import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Splits traffic by replica counts: the canary Deployment's pods and the stable's sit behind the
 * same Service, so each gets about its share of pods' worth of requests (Argo Rollouts' basic
 * canary). The total is the stable's replica count before the rollout (see {@link CanaryPair} for
 * the arithmetic); the side that grows is scaled and waited for until ready before the other
 * shrinks, so ready capacity never drops below that total. The weight read back is the canary's
 * share of the desired replicas, which may differ from the one asked for (5% of 4 pods is 1 of 4,
 * 25%).
 */
public final class ReplicaRatioRouter implements TrafficRouter {
  private final CanaryPair pair;
  private final long readyTimeoutSeconds;

  public ReplicaRatioRouter(CanaryPair pair, long readyTimeoutSeconds) {
    this.pair = pair;
    this.readyTimeoutSeconds = readyTimeoutSeconds;
  }

  @Override
  public Class<? extends TrafficRouterSpec> handles() {
    return TrafficRouterSpec.ReplicaRatio.class;
  }

  @Override
  public RouterState setWeight(WeightRequest request) {
    RolloutTarget target = request.target();
    pair.check(target, "setting the canary weight of " + target.deployment());
    Deployment canary = pair.canary(target);
    int capacity = CanaryPair.capacity(canary);
    int canaryWant = CanaryPair.canaryShare(capacity, request.weight());
    int stableWant = CanaryPair.stableShare(capacity, request.weight());
    int canaryHas = KubernetesActivitiesImpl.info(canary).replicas();
    String ns = target.namespace();
    boolean changed;
    if (canaryWant >= canaryHas) {
      changed =
          pair.scale(request.actionId() + ":canary", ns, target.canaryDeployment(), canaryWant);
      pair.awaitReady(ns, target.canaryDeployment(), canaryWant, readyTimeoutSeconds);
      changed |= pair.scale(request.actionId() + ":stable", ns, target.deployment(), stableWant);
    } else {
      changed = pair.scale(request.actionId() + ":stable", ns, target.deployment(), stableWant);
      pair.awaitReady(ns, target.deployment(), stableWant, readyTimeoutSeconds);
      changed |=
          pair.scale(request.actionId() + ":canary", ns, target.canaryDeployment(), canaryWant);
    }
    return read(target, changed);
  }

  @Override
  public RouterState readWeight(RolloutTarget target, TrafficRouterSpec router) {
    pair.check(target, null);
    return read(target, false);
  }

  private RouterState read(RolloutTarget target, boolean changed) {
    DeploymentInfo stable = pair.kubernetes.getDeployment(target.namespace(), target.deployment());
    Deployment canaryDeployment = pair.read(target.namespace(), target.canaryDeployment());
    DeploymentInfo canary =
        canaryDeployment == null ? null : KubernetesActivitiesImpl.info(canaryDeployment);
    int c = canary == null ? 0 : canary.replicas();
    int s = stable.replicas();
    int weight = c + s == 0 ? 0 : (int) Math.round(100.0 * c / (c + s));
    return new RouterState(
        weight,
        100 - weight,
        changed,
        "canary "
            + (canary == null ? 0 : canary.readyReplicas())
            + "/"
            + c
            + " ready, stable "
            + stable.readyReplicas()
            + "/"
            + s
            + " ready");
  }
}
