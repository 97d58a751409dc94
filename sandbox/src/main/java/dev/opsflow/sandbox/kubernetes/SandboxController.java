package dev.opsflow.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Deployment and ReplicaSet controllers and the kubelet would do, reduced to what the
 * sandbox needs: a changed pod template replaces the pods (new ones start Running, as a restart or
 * a higher memory limit would achieve), a changed replica count adds or removes pods, and the
 * Deployment's status reports the rollout complete. It acts as the cluster, never as opsflow.
 */
final class SandboxController {
  private static final Logger log = LoggerFactory.getLogger(SandboxController.class);
  private final KubernetesClient client;
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

  synchronized void reconcile() {
    for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
      reconcile(d);
    }
  }

  private void reconcile(Deployment d) {
    String ns = d.getMetadata().getNamespace();
    String name = d.getMetadata().getName();
    String hash = KubernetesSandbox.templateHash(d.getSpec().getTemplate());
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
    List<Pod> pods = client.pods().inNamespace(ns).withLabels(selector).list().getItems();
    for (Pod pod : pods) {
      if (!hash.equals(pod.getMetadata().getLabels().get("pod-template-hash"))) {
        client.pods().inNamespace(ns).resource(pod).delete(); // the old ReplicaSet scales down
      }
    }
    List<Pod> current =
        client.pods().inNamespace(ns).withLabels(selector).list().getItems().stream()
            .filter(p -> hash.equals(p.getMetadata().getLabels().get("pod-template-hash")))
            .toList();
    for (int i = current.size(); i < replicas; i++) {
      client.pods().inNamespace(ns).resource(newPod(d, hash)).create();
    }
    for (int i = replicas; i < current.size(); i++) {
      client.pods().inNamespace(ns).resource(current.get(i)).delete();
    }
    long generation = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
    var status = d.getStatus();
    boolean upToDate =
        status != null
            && status.getObservedGeneration() != null
            && status.getObservedGeneration() >= generation
            && Integer.valueOf(replicas).equals(status.getUpdatedReplicas())
            && Integer.valueOf(replicas).equals(status.getAvailableReplicas())
            && Integer.valueOf(replicas).equals(status.getReplicas());
    if (!upToDate) {
      // The "application" reacts before the rollout reports complete (e.g. new consumers catch up).
      listeners.forEach(l -> l.rolledOut(d, replicas));
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .withName(name)
          .editStatus(
              x -> {
                x.setStatus(
                    new DeploymentStatusBuilder()
                        .withObservedGeneration(generation)
                        .withReplicas(replicas)
                        .withUpdatedReplicas(replicas)
                        .withReadyReplicas(replicas)
                        .withAvailableReplicas(replicas)
                        .build());
                return x;
              });
    }
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
