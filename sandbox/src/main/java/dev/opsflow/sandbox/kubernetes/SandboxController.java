package dev.opsflow.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Deployment and ReplicaSet controllers and the kubelet would do, reduced to what the
 * sandbox needs: a changed pod template replaces the pods (new ones start Running, as a restart or
 * a higher memory limit would achieve), a changed replica count adds or removes pods, the
 * Deployment's status reports the rollout complete, and each Service's Endpoints list the pods it
 * selects. It acts as the cluster, never as opsflow.
 */
final class SandboxController {
  private static final Logger log = LoggerFactory.getLogger(SandboxController.class);
  private final KubernetesClient client;

  /**
   * Reconciles of single Deployments share it (several at once, each of another Deployment); the
   * full pass, which looks at all of them and the Endpoints, holds it alone.
   */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  private final java.util.List<RolloutListener> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Told when a Deployment's pods match its spec, before its status says so. */
  interface RolloutListener {
    void rolledOut(Deployment deployment, int replicas);
  }

  SandboxController(KubernetesClient client) {
    this.client = client;
  }

  void addListener(RolloutListener listener) {
    listeners.add(listener);
  }

  void reconcileQuietly() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      // The loop must survive a transient error (e.g. during shutdown); the next tick retries.
      log.debug("sandbox controller tick failed: {}", e.toString());
    }
  }

  /**
   * One Deployment, as its watch event showed it. One whose status already reports its current
   * generation rolled out is left alone (most such events echo the controller's own status write);
   * pods that went missing since are the full pass's.
   */
  void reconcileQuietly(Deployment d) {
    try {
      lock.readLock().lock();
      try {
        if (!upToDate(d)) {
          Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
          reconcile(
              d,
              client
                  .pods()
                  .inNamespace(d.getMetadata().getNamespace())
                  .withLabels(selector)
                  .list()
                  .getItems());
        }
      } finally {
        lock.readLock().unlock();
      }
    } catch (RuntimeException e) {
      // A conflict with a write made meanwhile: that write's own event queues this again.
      log.debug(
          "sandbox controller reconcile of {}/{} failed: {}",
          d.getMetadata().getNamespace(),
          d.getMetadata().getName(),
          e.toString());
    }
  }

  /**
   * The full pass. The mock API server scans every stored object for each request, on one thread,
   * so the pass reads each kind once (Deployments, then pods, then pods and Endpoints again for the
   * Services) and matches selectors here: a pass costs a handful of requests, not two per
   * Deployment.
   */
  void reconcile() {
    lock.writeLock().lock();
    try {
      fullPass();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void fullPass() {
    List<Deployment> deployments = client.apps().deployments().inAnyNamespace().list().getItems();
    Map<String, List<Pod>> pods = byNamespace(client.pods().inAnyNamespace().list().getItems());
    for (Deployment d : deployments) {
      reconcile(d, pods.getOrDefault(d.getMetadata().getNamespace(), List.of()));
    }
    List<Service> services = client.services().inAnyNamespace().list().getItems();
    if (services.isEmpty()) {
      return;
    }
    pods = byNamespace(client.pods().inAnyNamespace().list().getItems());
    Map<String, Endpoints> endpoints = new HashMap<>();
    for (Endpoints e : client.endpoints().inAnyNamespace().list().getItems()) {
      endpoints.put(e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(), e);
    }
    for (Service service : services) {
      String ns = service.getMetadata().getNamespace();
      reconcileEndpoints(
          service,
          pods.getOrDefault(ns, List.of()),
          endpoints.get(ns + "/" + service.getMetadata().getName()));
    }
  }

  private static Map<String, List<Pod>> byNamespace(List<Pod> pods) {
    Map<String, List<Pod>> grouped = new HashMap<>();
    for (Pod pod : pods) {
      grouped
          .computeIfAbsent(pod.getMetadata().getNamespace(), k -> new java.util.ArrayList<>())
          .add(pod);
    }
    return grouped;
  }

  /** The pods whose labels hold every label of {@code selector} (a label selector, read here). */
  private static List<Pod> selected(List<Pod> pods, Map<String, String> selector) {
    return pods.stream()
        .filter(
            p -> {
              Map<String, String> labels = p.getMetadata().getLabels();
              return labels != null && labels.entrySet().containsAll(selector.entrySet());
            })
        .toList();
  }

  /**
   * The endpoints controller: a Service with a selector gets an Endpoints object of the same name
   * listing the Running pods it selects (ready ones as addresses, the rest as not ready), so that a
   * repointed Service can be seen to reach its new pods. Written only when it changes.
   */
  private void reconcileEndpoints(Service service, List<Pod> podsInNamespace, Endpoints current) {
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return;
    }
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    List<EndpointAddress> ready = new java.util.ArrayList<>();
    List<EndpointAddress> notReady = new java.util.ArrayList<>();
    List<Pod> pods = new java.util.ArrayList<>(selected(podsInNamespace, selector));
    pods.sort(java.util.Comparator.comparing(p -> p.getMetadata().getName()));
    for (Pod pod : pods) {
      EndpointAddress address =
          new EndpointAddressBuilder()
              .withIp(podIp(pod))
              .withNewTargetRef()
              .withKind("Pod")
              .withNamespace(ns)
              .withName(pod.getMetadata().getName())
              .endTargetRef()
              .build();
      (isReady(pod) ? ready : notReady).add(address);
    }
    EndpointSubset subset =
        new EndpointSubsetBuilder()
            .withAddresses(ready)
            .withNotReadyAddresses(notReady)
            .withPorts(
                service.getSpec().getPorts() == null
                    ? List.of()
                    : service.getSpec().getPorts().stream()
                        .map(
                            p ->
                                new EndpointPortBuilder()
                                    .withName(p.getName())
                                    .withPort(p.getPort())
                                    .withProtocol(p.getProtocol())
                                    .build())
                        .toList())
            .build();
    List<EndpointSubset> subsets = pods.isEmpty() ? List.of() : List.of(subset);
    // Compared by the pods named: a stored object reads back with defaults that differ in form.
    if (current != null && podsNamed(subsets).equals(podsNamed(current.getSubsets()))) {
      return;
    }
    Endpoints endpoints =
        new EndpointsBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withSubsets(subsets)
            .build();
    client.endpoints().inNamespace(ns).resource(endpoints).createOr(e -> e.update());
  }

  /** "ready:" and "notReady:" pod names of some endpoint subsets, for comparing them. */
  private static List<String> podsNamed(List<EndpointSubset> subsets) {
    List<String> named = new java.util.ArrayList<>();
    if (subsets == null) {
      return named;
    }
    for (EndpointSubset subset : subsets) {
      for (EndpointAddress a :
          subset.getAddresses() == null ? List.<EndpointAddress>of() : subset.getAddresses()) {
        named.add("ready:" + (a.getTargetRef() == null ? a.getIp() : a.getTargetRef().getName()));
      }
      for (EndpointAddress a :
          subset.getNotReadyAddresses() == null
              ? List.<EndpointAddress>of()
              : subset.getNotReadyAddresses()) {
        named.add(
            "notReady:" + (a.getTargetRef() == null ? a.getIp() : a.getTargetRef().getName()));
      }
    }
    java.util.Collections.sort(named);
    return named;
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .allMatch(c -> Boolean.TRUE.equals(c.getReady()));
  }

  /** The pod's IP, or a stable made-up one: sandbox pods get no network. */
  private static String podIp(Pod pod) {
    if (pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
      return pod.getStatus().getPodIP();
    }
    int hash = pod.getMetadata().getName().hashCode() & 0xffff;
    return "10.244." + (hash >> 8) + "." + Math.max(1, hash & 0xff);
  }

  /** One Deployment, given the pods of its namespace (at least those its selector matches). */
  private void reconcile(Deployment d, List<Pod> podsInNamespace) {
    String ns = d.getMetadata().getNamespace();
    String name = d.getMetadata().getName();
    String hash = KubernetesSandbox.templateHash(d.getSpec().getTemplate());
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
    List<Pod> current = new java.util.ArrayList<>();
    for (Pod pod : ownPods(name, selected(podsInNamespace, selector))) {
      if (hash.equals(pod.getMetadata().getLabels().get("pod-template-hash"))) {
        current.add(pod);
      } else {
        client.pods().inNamespace(ns).resource(pod).delete(); // the old ReplicaSet scales down
      }
    }
    for (int i = current.size(); i < replicas; i++) {
      client.pods().inNamespace(ns).resource(newPod(d, hash)).create();
    }
    for (int i = replicas; i < current.size(); i++) {
      client.pods().inNamespace(ns).resource(current.get(i)).delete();
    }
    if (upToDate(d)) {
      return;
    }
    long generation = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
    // The "application" reacts before the rollout reports complete (e.g. new consumers catch up).
    listeners.forEach(l -> l.rolledOut(d, replicas));
    Deployment withStatus =
        new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d)
            .withStatus(
                new DeploymentStatusBuilder()
                    .withObservedGeneration(generation)
                    .withReplicas(replicas)
                    .withUpdatedReplicas(replicas)
                    .withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas)
                    .build())
            .build();
    try {
      // One write, locked to the version read: a Deployment changed since is reconciled again from
      // its own event, so a stale read never reports a newer generation rolled out.
      client.apps().deployments().inNamespace(ns).resource(withStatus).updateStatus();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      log.debug("sandbox status of {}/{} changed meanwhile; left to its event", ns, name);
    }
  }

  private static boolean upToDate(Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    long generation = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
    var status = d.getStatus();
    return status != null
        && status.getObservedGeneration() != null
        && status.getObservedGeneration() >= generation
        && Integer.valueOf(replicas).equals(status.getUpdatedReplicas())
        && Integer.valueOf(replicas).equals(status.getAvailableReplicas())
        && Integer.valueOf(replicas).equals(status.getReplicas());
  }

  /**
   * The pods a Deployment manages: those its selector matches that its own ReplicaSets ({@code
   * <name>-<hash>}) own, or that no controller owns. A canary Deployment beside the stable one has
   * pods the stable's selector also matches (both behind one Service); a real ReplicaSet leaves
   * them alone because they are not its own, and so does this.
   */
  private static List<Pod> ownPods(String deployment, List<Pod> selected) {
    return selected.stream()
        .filter(
            pod -> {
              var owner =
                  pod.getMetadata().getOwnerReferences().stream()
                      .filter(o -> Boolean.TRUE.equals(o.getController()))
                      .findFirst();
              return owner.isEmpty()
                  || ("ReplicaSet".equals(owner.get().getKind())
                      && owner.get().getName().matches(Pattern.quote(deployment) + "-[0-9a-f]+"));
            })
        .toList();
  }

  private static Pod newPod(Deployment d, String hash) {
    String rs = d.getMetadata().getName() + "-" + hash;
    Map<String, String> labels = new HashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("pod-template-hash", hash);
    return new PodBuilder()
        .withNewMetadata()
        .withName(rs + "-" + UUID.randomUUID().toString().substring(0, 5))
        .withNamespace(d.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName(rs)
                .withController(true)
                .build())
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .editSpec()
        .withNodeName("sandbox-node-1")
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withContainerStatuses(
            d.getSpec().getTemplate().getSpec().getContainers().stream()
                .map(
                    c ->
                        new ContainerStatusBuilder()
                            .withName(c.getName())
                            .withImage(c.getImage())
                            .withReady(true)
                            .withRestartCount(0)
                            .withNewState()
                            .withNewRunning()
                            .withStartedAt("2026-01-01T00:00:00Z")
                            .endRunning()
                            .endState()
                            .build())
                .toList())
        .endStatus()
        .build();
  }
}
