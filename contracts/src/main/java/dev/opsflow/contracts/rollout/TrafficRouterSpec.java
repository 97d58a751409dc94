package dev.opsflow.contracts.rollout;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How a rollout splits traffic between the stable and the new version, chosen per run. A
 * service-mesh router (Istio VirtualService, SMI) is one more record here and one more router in
 * the activities. As JSON: {@code {"type":"replicaRatio"}}, {@code
 * {"type":"httpRoute","route":"web","stableBackend":"web-stable","canaryBackend":"web-canary"}},
 * {@code {"type":"featureFlag","service":"flags","flag":"new-checkout"}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrafficRouterSpec.ReplicaRatio.class, name = "replicaRatio"),
  @JsonSubTypes.Type(value = TrafficRouterSpec.HttpRoute.class, name = "httpRoute"),
  @JsonSubTypes.Type(value = TrafficRouterSpec.FeatureFlag.class, name = "featureFlag")
})
public sealed interface TrafficRouterSpec {
  /**
   * A canary Deployment beside the stable one behind the same Service; the weight is the share of
   * replicas, and the total stays the stable's replica count (Argo Rollouts' basic canary).
   */
  record ReplicaRatio() implements TrafficRouterSpec {}

  /**
   * A Gateway API {@code HTTPRoute} in the target's namespace whose rules name both backends; the
   * weight is the canary backend's {@code weight} (stable gets {@code 100 - weight}).
   *
   * @param route the HTTPRoute's name
   * @param stableBackend the Service reaching the stable pods
   * @param canaryBackend the Service reaching the canary pods
   */
  record HttpRoute(String route, String stableBackend, String canaryBackend)
      implements TrafficRouterSpec {}

  /**
   * A percentage rollout of a feature flag, set over HTTP on a flag service the worker's
   * configuration names (its URL and token stay in the configuration).
   *
   * @param service the flag service's name in the worker's configuration
   * @param flag the flag's key
   */
  record FeatureFlag(String service, String flag) implements TrafficRouterSpec {}
}
