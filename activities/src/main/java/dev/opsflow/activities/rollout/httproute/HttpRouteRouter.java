package dev.opsflow.activities.rollout.httproute;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.KubernetesNames;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouter;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a canary's traffic with the backend weights of a Gateway API {@code HTTPRoute}
 * (gateway.networking.k8s.io/v1) in the target's namespace: every rule whose {@code backendRefs}
 * name both the stable and the canary Service gets {@code canary = w}, {@code stable = 100 - w}.
 *
 * <p>The route is compared first (no write when it already holds the weights: {@code
 * changed=false}), written as a merge patch carrying its {@code resourceVersion} (a concurrent
 * writer's change is never overwritten: a 409 is answered by reading again and recomputing, up to
 * {@value #CONFLICT_ATTEMPTS} times in one call), and read back. Refused before any request: a name
 * that cannot be one ({@code InvalidName}), a namespace outside {@code
 * kubernetes.allowedNamespaces} ({@code ForbiddenTarget}). Refused after reading: a missing route
 * ({@code NotFound}), no rule naming both backends, or such a rule with a third backend, whose
 * weight would make {@code w} no percentage ({@code InvalidInput}). An API server that does not
 * answer is retried ({@code KubernetesUnavailable}).
 */
public final class HttpRouteRouter implements TrafficRouter, AutoCloseable {
  /** Writes lost to a concurrent change before the call gives up (and the activity retries). */
  static final int CONFLICT_ATTEMPTS = 5;

  /** A backendRef's weight when it has none (the Gateway API's default). */
  private static final int DEFAULT_WEIGHT = 1;

  /**
   * A JSON patch that sets the two weights of each rule and puts back the {@code resourceVersion}
   * as read, so the API server refuses it with 409 when the route changed since (optimistic
   * concurrency), with opsflow as field manager.
   */
  private static final PatchContext WRITE =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager(KubernetesActivitiesImpl.FIELD_MANAGER)
          .build();

  private final KubernetesClient client;
  private final NamespaceAllowList allowList;
  private final boolean ownsClient;

  /**
   * @param client a client of the cluster (the worker's; closing this router leaves it open)
   * @param allowList the namespaces opsflow may change ({@code kubernetes.allowedNamespaces})
   */
  public HttpRouteRouter(KubernetesClient client, NamespaceAllowList allowList) {
    this(client, allowList, false);
  }

  private HttpRouteRouter(
      KubernetesClient client, NamespaceAllowList allowList, boolean ownsClient) {
    this.client = client;
    this.allowList = allowList;
    this.ownsClient = ownsClient;
  }

  /**
   * A router with its own client of the configured cluster, tuned as the Kubernetes activities' (no
   * client-side retries: Temporal's retry policy is the one loop); {@link #close} closes it.
   */
  public static HttpRouteRouter fromConfig(OpsflowConfig config) {
    return new HttpRouteRouter(
        KubernetesActivitiesImpl.client(config),
        new NamespaceAllowList(config.kubernetes().allowedNamespaces()),
        true);
  }

  @Override
  public Class<? extends TrafficRouterSpec> handles() {
    return TrafficRouterSpec.HttpRoute.class;
  }

  @Override
  public RouterState setWeight(WeightRequest request) {
    TrafficRouterSpec.HttpRoute spec = checked(request.target(), request.router());
    String namespace = request.target().namespace();
    allowList.requireAllowed(namespace, "HTTPRoute " + spec.route());
    int weight = request.weight();
    String what = "set the weights of HTTPRoute " + namespace + "/" + spec.route();
    return KubernetesActivitiesImpl.call(
        what,
        () -> {
          for (int attempt = 1; ; attempt++) {
            HTTPRoute route = existing(namespace, spec);
            List<HTTPRouteRule> rules = rulesNamingBoth(route, spec);
            if (rules.stream().allMatch(r -> holds(r, spec, weight))) {
              return state(route, spec, false);
            }
            String patch = weightsPatch(route, spec, weight);
            try {
              routes(namespace).withName(spec.route()).patch(WRITE, patch);
            } catch (KubernetesClientException e) {
              if (e.getCode() == 409 && attempt < CONFLICT_ATTEMPTS) {
                continue;
              }
              throw e;
            }
            RouterState read = state(existing(namespace, spec), spec, true);
            if (read.canaryWeight() != weight) {
              throw FailureTypes.retryable(
                  what
                      + ": wrote canary "
                      + weight
                      + "%, read back "
                      + read.detail()
                      + " (another writer, or a webhook, changed it)",
                  "RouteChangedUnderUs",
                  null);
            }
            return read;
          }
        });
  }

  @Override
  public RouterState readWeight(RolloutTarget target, TrafficRouterSpec router) {
    TrafficRouterSpec.HttpRoute spec = checked(target, router);
    return KubernetesActivitiesImpl.call(
        "read the weights of HTTPRoute " + target.namespace() + "/" + spec.route(),
        () -> state(existing(target.namespace(), spec), spec, false));
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  /** The spec, its names checked as what they name before any of them goes into a request. */
  private static TrafficRouterSpec.HttpRoute checked(
      RolloutTarget target, TrafficRouterSpec router) {
    if (!(router instanceof TrafficRouterSpec.HttpRoute spec)) {
      throw FailureTypes.invalidInput(
          "router: expected an httpRoute router, got " + router.getClass().getSimpleName());
    }
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("target.namespace", target.namespace());
          KubernetesNames.route("router.route", spec.route());
          KubernetesNames.service("router.stableBackend", spec.stableBackend());
          KubernetesNames.service("router.canaryBackend", spec.canaryBackend());
        });
    if (spec.stableBackend().equals(spec.canaryBackend())) {
      throw FailureTypes.invalidInput(
          "router.canaryBackend: must differ from router.stableBackend ("
              + spec.stableBackend()
              + ")");
    }
    return spec;
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          HTTPRoute,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<HTTPRoute>,
          io.fabric8.kubernetes.client.dsl.Resource<HTTPRoute>>
      routes(String namespace) {
    return client.resources(HTTPRoute.class).inNamespace(namespace);
  }

  /**
   * The weights of the rules naming both backends, as JSON patch operations on the route as read
   * ({@code add} sets a member that may be absent), after the resourceVersion it was read at.
   */
  private String weightsPatch(HTTPRoute route, TrafficRouterSpec.HttpRoute spec, int weight) {
    List<PatchOperation> ops = new ArrayList<>();
    ops.add(
        new PatchOperation(
            "replace", "/metadata/resourceVersion", route.getMetadata().getResourceVersion()));
    List<HTTPRouteRule> rules = route.getSpec().getRules();
    List<HTTPRouteRule> both = rulesNamingBoth(route, spec);
    for (int i = 0; i < rules.size(); i++) {
      if (!both.contains(rules.get(i))) {
        continue;
      }
      List<HTTPBackendRef> refs = rules.get(i).getBackendRefs();
      for (int j = 0; j < refs.size(); j++) {
        int value = refs.get(j).getName().equals(spec.canaryBackend()) ? weight : 100 - weight;
        ops.add(
            new PatchOperation("add", "/spec/rules/" + i + "/backendRefs/" + j + "/weight", value));
      }
    }
    return client.getKubernetesSerialization().asJson(ops);
  }

  /** One RFC 6902 operation, serialized in this order. */
  private record PatchOperation(String op, String path, Object value) {}

  private HTTPRoute existing(String namespace, TrafficRouterSpec.HttpRoute spec) {
    HTTPRoute route = routes(namespace).withName(spec.route()).get();
    if (route == null) {
      throw FailureTypes.notFound(
          "HTTPRoute "
              + namespace
              + "/"
              + spec.route()
              + " does not exist (gateway.networking.k8s.io/v1)");
    }
    return route;
  }

  /**
   * The rules whose backends are the stable and the canary Service (and nothing else): refused when
   * there is none, or when such a rule also sends traffic elsewhere.
   */
  private static List<HTTPRouteRule> rulesNamingBoth(
      HTTPRoute route, TrafficRouterSpec.HttpRoute spec) {
    List<HTTPRouteRule> found = new ArrayList<>();
    List<HTTPRouteRule> rules =
        route.getSpec() == null || route.getSpec().getRules() == null
            ? List.of()
            : route.getSpec().getRules();
    for (int i = 0; i < rules.size(); i++) {
      HTTPRouteRule rule = rules.get(i);
      List<HTTPBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
      boolean stable = refs.stream().anyMatch(r -> names(r, spec.stableBackend(), route));
      boolean canary = refs.stream().anyMatch(r -> names(r, spec.canaryBackend(), route));
      if (!stable || !canary) {
        continue;
      }
      List<String> others =
          refs.stream()
              .filter(
                  r ->
                      !names(r, spec.stableBackend(), route)
                          && !names(r, spec.canaryBackend(), route))
              .map(r -> r.getKind() == null ? r.getName() : r.getKind() + "/" + r.getName())
              .toList();
      if (!others.isEmpty() || refs.size() != 2) {
        throw FailureTypes.invalidInput(
            "HTTPRoute "
                + where(route)
                + " rule "
                + ruleName(rule, i)
                + " sends traffic to "
                + (others.isEmpty() ? "a backend named twice" : others)
                + " besides "
                + spec.stableBackend()
                + " and "
                + spec.canaryBackend()
                + ": their weights would not be percentages; give the canary a rule of its own");
      }
      found.add(rule);
    }
    if (found.isEmpty()) {
      throw FailureTypes.invalidInput(
          "HTTPRoute "
              + where(route)
              + " has no rule whose backendRefs name both "
              + spec.stableBackend()
              + " (router.stableBackend) and "
              + spec.canaryBackend()
              + " (router.canaryBackend)");
    }
    return found;
  }

  /** Whether {@code ref} is the Service {@code name} in the route's own namespace. */
  private static boolean names(HTTPBackendRef ref, String name, HTTPRoute route) {
    boolean service =
        (ref.getKind() == null || ref.getKind().equals("Service"))
            && (ref.getGroup() == null || ref.getGroup().isEmpty());
    boolean here =
        ref.getNamespace() == null || ref.getNamespace().equals(route.getMetadata().getNamespace());
    return service && here && name.equals(ref.getName());
  }

  private static boolean holds(HTTPRouteRule rule, TrafficRouterSpec.HttpRoute spec, int weight) {
    return rule.getBackendRefs().stream()
        .allMatch(
            r -> weightOf(r) == (r.getName().equals(spec.canaryBackend()) ? weight : 100 - weight));
  }

  /**
   * The split as the route holds it, from its first rule naming both backends, in percent of the
   * two weights (1 and 1 is 50/50); the detail shows every such rule's raw weights.
   */
  private static RouterState state(
      HTTPRoute route, TrafficRouterSpec.HttpRoute spec, boolean changed) {
    List<HTTPRouteRule> rules = rulesNamingBoth(route, spec);
    List<String> shown = new ArrayList<>();
    int canaryPercent = 0;
    int stablePercent = 0;
    for (int i = 0; i < rules.size(); i++) {
      int stable = weightOf(rules.get(i), spec.stableBackend());
      int canary = weightOf(rules.get(i), spec.canaryBackend());
      if (i == 0 && stable + canary > 0) {
        canaryPercent = Math.round(100f * canary / (stable + canary));
        stablePercent = 100 - canaryPercent;
      }
      shown.add(spec.stableBackend() + " " + stable + ", " + spec.canaryBackend() + " " + canary);
    }
    return new RouterState(
        canaryPercent,
        stablePercent,
        changed,
        "HTTPRoute "
            + where(route)
            + " weights "
            + String.join("; ", shown)
            + (canaryPercent + stablePercent == 0 ? " (no traffic to either)" : ""));
  }

  private static int weightOf(HTTPRouteRule rule, String backend) {
    return rule.getBackendRefs().stream()
        .filter(r -> backend.equals(r.getName()))
        .mapToInt(HttpRouteRouter::weightOf)
        .findFirst()
        .orElse(0);
  }

  private static int weightOf(HTTPBackendRef ref) {
    return ref.getWeight() == null ? DEFAULT_WEIGHT : ref.getWeight();
  }

  private static String where(HTTPRoute route) {
    return route.getMetadata().getNamespace() + "/" + route.getMetadata().getName();
  }

  private static String ruleName(HTTPRouteRule rule, int index) {
    return rule.getName() == null ? "#" + index : "'" + rule.getName() + "' (#" + index + ")";
  }
}
