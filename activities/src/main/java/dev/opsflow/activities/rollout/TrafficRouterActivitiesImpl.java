package dev.opsflow.activities.rollout;

import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.temporal.failure.ApplicationFailure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sends each call to the router registered for the request's {@link TrafficRouterSpec} type. */
public final class TrafficRouterActivitiesImpl implements TrafficRouterActivities {
  /** The worker has no router for the requested type (not configured, or not built in). */
  public static final String ROUTER_NOT_AVAILABLE = "RouterNotAvailable";

  private final Map<Class<? extends TrafficRouterSpec>, TrafficRouter> routers = new HashMap<>();

  public TrafficRouterActivitiesImpl(List<TrafficRouter> routers) {
    for (TrafficRouter router : routers) {
      if (this.routers.put(router.handles(), router) != null) {
        throw new IllegalArgumentException("two routers serve " + router.handles().getSimpleName());
      }
    }
  }

  @Override
  public RouterState setWeight(WeightRequest request) {
    check(request);
    if (request.weight() < 0 || request.weight() > 100) {
      throw ApplicationFailure.newNonRetryableFailure(
          "weight: " + request.weight() + " is not a percentage (0-100)", "InvalidInput");
    }
    if (request.actionId() == null || request.actionId().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("actionId: is required", "InvalidInput");
    }
    return routerFor(request.router()).setWeight(request);
  }

  @Override
  public RouterState readWeight(WeightRequest request) {
    check(request);
    return routerFor(request.router()).readWeight(request.target(), request.router());
  }

  private static void check(WeightRequest request) {
    if (request == null || request.target() == null || request.router() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "target and router: are required", "InvalidInput");
    }
  }

  private TrafficRouter routerFor(TrafficRouterSpec spec) {
    TrafficRouter router = routers.get(spec.getClass());
    if (router == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "this worker has no "
              + spec.getClass().getSimpleName()
              + " router (routers here: "
              + routers.keySet().stream().map(Class::getSimpleName).sorted().toList()
              + ")",
          ROUTER_NOT_AVAILABLE);
    }
    return router;
  }
}
