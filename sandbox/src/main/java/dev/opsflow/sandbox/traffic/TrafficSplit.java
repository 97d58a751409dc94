package dev.opsflow.sandbox.traffic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the requests sent to one Service divide between the Deployments behind it, worked out the way
 * the cluster would route them: kube-proxy gives every ready pod the Service selects an equal share
 * (so a canary Deployment beside the stable one gets its share of replicas), and a Gateway API
 * {@code HTTPRoute} first divides by its backends' weights, then each backend Service by its ready
 * pods.
 *
 * <p>The shares add up to at most 1: what is left is traffic nobody serves (a backend whose Service
 * has no ready pod; a real gateway answers it with 503).
 *
 * @param shares the Deployments that get traffic or could (a ready replica count of 0 gets 0), in
 *     the order they were found
 */
public record TrafficSplit(List<Share> shares) {
  /** Nothing selected: no request is served. */
  public static final TrafficSplit NONE = new TrafficSplit(List.of());

  public TrafficSplit {
    shares = List.copyOf(shares);
  }

  /**
   * A Deployment as the traffic sees it.
   *
   * @param deployment its name
   * @param image the image of its pod template's first container: what version it runs
   * @param readyReplicas its ready pods (status.readyReplicas)
   */
  public record Version(String deployment, String image, int readyReplicas) {}

  /**
   * One {@code backendRefs} entry of an HTTPRoute.
   *
   * @param service the backend Service's name
   * @param weight its weight ({@code 1} when the route leaves it out, as the Gateway API says)
   * @param selected the Deployments whose pods that Service selects
   */
  public record Backend(String service, int weight, List<Version> selected) {}

  /**
   * One Deployment's part of the traffic.
   *
   * @param version the Deployment
   * @param share between 0 and 1
   */
  public record Share(Version version, double share) {}

  /** A plain Service: each ready pod of the selected Deployments gets an equal share. */
  public static TrafficSplit byReplicas(List<Version> selected) {
    Map<String, Double> shares = new LinkedHashMap<>();
    Map<String, Version> versions = new LinkedHashMap<>();
    addByReplicas(selected, 1.0, shares, versions);
    return of(shares, versions);
  }

  /**
   * An HTTPRoute: each backend gets {@code weight / sum of weights}, divided among the ready pods
   * of the Deployments its Service selects. All weights 0 sends nothing anywhere.
   */
  public static TrafficSplit byRoute(List<Backend> backends) {
    long total = backends.stream().mapToLong(b -> Math.max(0, b.weight())).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    Map<String, Version> versions = new LinkedHashMap<>();
    for (Backend backend : backends) {
      double part = total == 0 ? 0 : Math.max(0, backend.weight()) / (double) total;
      addByReplicas(backend.selected(), part, shares, versions);
    }
    return of(shares, versions);
  }

  private static void addByReplicas(
      List<Version> selected, double part, Map<String, Double> shares, Map<String, Version> seen) {
    long ready = selected.stream().mapToLong(v -> Math.max(0, v.readyReplicas())).sum();
    for (Version v : selected) {
      double share = ready == 0 ? 0 : part * Math.max(0, v.readyReplicas()) / ready;
      shares.merge(v.deployment(), share, Double::sum);
      seen.putIfAbsent(v.deployment(), v);
    }
  }

  private static TrafficSplit of(Map<String, Double> shares, Map<String, Version> versions) {
    List<Share> list = new ArrayList<>();
    shares.forEach((name, share) -> list.add(new Share(versions.get(name), share)));
    return new TrafficSplit(list);
  }

  /** The Deployment's share, 0 when it gets none or is not behind the Service. */
  public double share(String deployment) {
    return shares.stream()
        .filter(s -> s.version().deployment().equals(deployment))
        .mapToDouble(Share::share)
        .sum();
  }

  /** The Deployment as last seen behind the Service, if it is. */
  public Optional<Version> version(String deployment) {
    return shares.stream()
        .map(Share::version)
        .filter(v -> v.deployment().equals(deployment))
        .findFirst();
  }

  /** The share nobody serves: 1 minus the sum of the shares. */
  public double unserved() {
    return Math.max(0, 1 - shares.stream().mapToDouble(Share::share).sum());
  }
}
