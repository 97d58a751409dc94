package dev.opsflow.activities.rollout;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.KubernetesNames;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.kubernetes.ScaleRequest;
import dev.opsflow.contracts.rollout.RolloutTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A stable Deployment and its canary {@code <deployment>-canary} on the cluster: the reads, scales
 * and waits that {@link ReleaseActivitiesImpl} and {@link ReplicaRatioRouter} share. Scaling goes
 * through {@link KubernetesActivitiesImpl#scaleDeployment} (names, allow list, replica ceiling,
 * before-state annotations), so the rules of every other scale apply to a rollout's too.
 *
 * <p><b>Capacity.</b> The stable's replica count when the canary was deployed is recorded on the
 * canary ({@value #STABLE_REPLICAS_BEFORE}) and is the total both keep, as in Argo Rollouts' basic
 * canary: at weight {@code w} the canary has {@link #canaryShare ceil(total * w / 100)} pods (at
 * least 1) and, with the replica-ratio router, the stable the rest, but at least 1 until {@code w}
 * is 100. The side that grows is scaled first and waited for until its pods are ready, then the
 * other side shrinks, so ready capacity never drops below the total during a step.
 */
public final class CanaryPair implements AutoCloseable {
  /** Retryable failure type: the pods did not become ready in time. */
  public static final String NOT_READY = "NotReady";

  /** On the canary Deployment: opsflow manages it. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** On the canary Deployment: the stable Deployment it is the canary of. */
  public static final String CANARY_OF = "opsflow.dev/canary-of";

  /** On the canary's pods and selector, so its ReplicaSets never match the stable's selector. */
  public static final String TRACK = "opsflow.dev/track";

  /** On the canary Deployment: the workflow ID of the rollout that owns it. */
  public static final String ROLLOUT = "opsflow.dev/rollout";

  /** On the canary Deployment: the stable's replicas before the rollout (the total capacity). */
  public static final String STABLE_REPLICAS_BEFORE = "opsflow.dev/stable-replicas-before";

  /** On the canary Deployment: the stable's image before the rollout. */
  public static final String STABLE_IMAGE_BEFORE = "opsflow.dev/stable-image-before";

  /** On the canary Deployment: the last deploy's action id. */
  public static final String DEPLOY_ACTION = "opsflow.dev/deploy-action-id";

  /** On the stable Deployment: the promotion's action id. */
  public static final String PROMOTE_ACTION = "opsflow.dev/promote-action-id";

  /** On the stable Deployment, written with the promotion: its image before it. */
  public static final String PROMOTE_PREVIOUS_IMAGE = "opsflow.dev/promote-previous-image";

  private static final PatchContext WRITE =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager(KubernetesActivitiesImpl.FIELD_MANAGER)
          .build();

  final KubernetesClient client;
  final KubernetesActivitiesImpl kubernetes;
  final NamespaceAllowList allowList;
  final HardLimits limits;

  /** The client the release steps and every cluster router share (closed with this pair). */
  public KubernetesClient client() {
    return client;
  }

  /** {@code kubernetes.allowedNamespaces}, as every cluster router checks it. */
  public NamespaceAllowList allowList() {
    return allowList;
  }

  public CanaryPair(
      KubernetesClient client,
      KubernetesActivitiesImpl kubernetes,
      NamespaceAllowList allowList,
      HardLimits limits) {
    this.client = client;
    this.kubernetes = kubernetes;
    this.allowList = allowList;
    this.limits = limits;
  }

  /** A pair on the configured cluster, under the worker's allow list and replica ceiling. */
  public static CanaryPair fromConfig(dev.opsflow.config.OpsflowConfig config) {
    KubernetesClient client = KubernetesActivitiesImpl.client(config);
    NamespaceAllowList allowList = new NamespaceAllowList(config.kubernetes().allowedNamespaces());
    HardLimits limits = HardLimits.fromConfig(config);
    return new CanaryPair(
        client, new KubernetesActivitiesImpl(client, allowList, limits), allowList, limits);
  }

  @Override
  public void close() {
    kubernetes.close(); // closes the shared client too
  }

  /** The canary's pods for weight {@code w} of {@code capacity}: 0 at 0, else at least 1. */
  public static int canaryShare(int capacity, int weight) {
    if (weight <= 0) {
      return 0;
    }
    int share = (int) Math.ceil(capacity * weight / 100.0);
    return Math.max(1, Math.min(share, Math.max(1, capacity)));
  }

  /** The stable's pods beside the canary's share: the rest, but at least 1 until 100. */
  public static int stableShare(int capacity, int weight) {
    if (weight >= 100) {
      return 0;
    }
    return Math.max(1, capacity - canaryShare(capacity, weight));
  }

  /** Checks the target's names ({@code InvalidName}) and, for a change, the allow list. */
  void check(RolloutTarget target, String change) {
    if (target == null) {
      throw FailureTypes.invalidInput("target: is required");
    }
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("target.namespace", target.namespace());
          KubernetesNames.deployment("target.deployment", target.deployment());
          KubernetesNames.deployment("canary", target.canaryDeployment());
          KubernetesNames.optionalContainer("target.container", target.container());
        });
    if (change != null) {
      allowList.requireAllowed(target.namespace(), change);
    }
  }

  Deployment read(String namespace, String name) {
    return KubernetesActivitiesImpl.call(
        "get Deployment " + namespace + "/" + name,
        () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  Deployment stable(RolloutTarget target) {
    Deployment d = read(target.namespace(), target.deployment());
    if (d == null) {
      throw FailureTypes.notFound(
          "Deployment " + target.namespace() + "/" + target.deployment() + " does not exist");
    }
    return d;
  }

  /** The canary, which must exist and be opsflow's canary of this stable. */
  Deployment canary(RolloutTarget target) {
    Deployment d = read(target.namespace(), target.canaryDeployment());
    if (d == null) {
      throw FailureTypes.notFound(
          "canary Deployment "
              + target.namespace()
              + "/"
              + target.canaryDeployment()
              + " does not exist (deployCanary first)");
    }
    requireOurs(d, target);
    return d;
  }

  static void requireOurs(Deployment canary, RolloutTarget target) {
    Map<String, String> labels = labels(canary);
    if (!KubernetesActivitiesImpl.FIELD_MANAGER.equals(labels.get(MANAGED_BY))
        || !target.deployment().equals(labels.get(CANARY_OF))) {
      throw FailureTypes.forbiddenTarget(
          "Deployment "
              + target.namespace()
              + "/"
              + target.canaryDeployment()
              + " exists but is not opsflow's canary of "
              + target.deployment()
              + " (labels "
              + MANAGED_BY
              + "=opsflow, "
              + CANARY_OF
              + "="
              + target.deployment()
              + "): refusing to change it");
    }
  }

  /** The total capacity recorded on the canary. */
  static int capacity(Deployment canary) {
    String recorded = annotations(canary).get(STABLE_REPLICAS_BEFORE);
    try {
      return Integer.parseInt(recorded);
    } catch (NumberFormatException | NullPointerException e) {
      throw FailureTypes.invalidInput(
          "canary "
              + canary.getMetadata().getName()
              + " has no readable "
              + STABLE_REPLICAS_BEFORE
              + " annotation ("
              + recorded
              + "); deploy it again");
    }
  }

  /** Scales to {@code replicas} (a no-op when already there); true when it changed anything. */
  boolean scale(String actionId, String namespace, String name, int replicas) {
    return retryingConflicts(
        () ->
            kubernetes
                .scaleDeployment(new ScaleRequest(actionId, namespace, name, replicas))
                .changed());
  }

  /** How often a read-compare-write is repeated after the object changed under it (HTTP 409). */
  static final int CONFLICT_ATTEMPTS = 5;

  /**
   * Runs a read-compare-write again when the API server answers 409 (the Deployment controller
   * wrote the status between our read and our patch, which it does all through a rollout): each run
   * reads afresh, so the write lands on the latest version. Other failures pass through.
   */
  static <T> T retryingConflicts(java.util.function.Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (io.temporal.failure.ApplicationFailure e) {
        boolean conflict =
            e.getOriginalMessage() != null && e.getOriginalMessage().contains("HTTP 409");
        if (!conflict || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Waits until {@code name} has at least {@code replicas} ready pods of its current template (the
   * controller observed the latest generation): reads at once, then after 25 ms doubling to 2 s,
   * heartbeating each time, as {@link KubernetesActivitiesImpl#waitForRollout} does.
   */
  DeploymentInfo awaitReady(String namespace, String name, int replicas, long timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, timeoutSeconds));
    long pause = KubernetesActivitiesImpl.ROLLOUT_FIRST_POLL.toMillis();
    while (true) {
      DeploymentInfo info = kubernetes.getDeployment(namespace, name);
      boolean current = info.observedGeneration() >= info.generation();
      if (current
          && info.readyReplicas() >= replicas
          && info.updatedReplicas() >= Math.min(replicas, info.replicas())) {
        return info;
      }
      String progress =
          name + ": " + info.readyReplicas() + "/" + replicas + " ready (" + info.replicas() + ")";
      KubernetesActivitiesImpl.heartbeat(progress);
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw FailureTypes.retryable(
            namespace + "/" + progress + " after " + timeoutSeconds + "s", NOT_READY, null);
      }
      try {
        Thread.sleep(Math.min(pause, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw FailureTypes.retryable("interrupted while waiting for " + name, "Interrupted", e);
      }
      pause = Math.min(pause * 2, KubernetesActivitiesImpl.ROLLOUT_MAX_POLL.toMillis());
    }
  }

  /** Writes {@code change} applied to a copy of {@code current} as a JSON patch, as opsflow. */
  void patch(Deployment current, Consumer<Deployment> change) {
    Deployment changed = client.getKubernetesSerialization().clone(current);
    change.accept(changed);
    KubernetesActivitiesImpl.call(
        "patch Deployment " + current.getMetadata().getName(),
        () ->
            client
                .apps()
                .deployments()
                .inNamespace(current.getMetadata().getNamespace())
                .resource(current)
                .patch(WRITE, changed));
  }

  /** The pair as it stands now. */
  ReleaseState state(RolloutTarget target, boolean changed, String detail) {
    Deployment stable = stable(target);
    Deployment canary = read(target.namespace(), target.canaryDeployment());
    DeploymentInfo s = KubernetesActivitiesImpl.info(stable);
    DeploymentInfo c = canary == null ? null : KubernetesActivitiesImpl.info(canary);
    return new ReleaseState(
        target.canaryDeployment(),
        c == null ? 0 : c.replicas(),
        c == null ? 0 : c.readyReplicas(),
        s.replicas(),
        s.readyReplicas(),
        canary == null ? s.replicas() : capacity(canary),
        container(stable, target.container()).getImage(),
        canary == null ? "" : annotations(canary).getOrDefault(STABLE_IMAGE_BEFORE, ""),
        changed,
        detail);
  }

  /** The rolled-out container: the named one, or the pod's only one. */
  static Container container(Deployment d, String name) {
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    if (name == null || name.isBlank()) {
      if (containers.size() != 1) {
        throw FailureTypes.invalidInput(
            "target.container: Deployment "
                + d.getMetadata().getName()
                + " has "
                + containers.size()
                + " containers "
                + containers.stream().map(Container::getName).toList()
                + "; name the one whose image changes");
      }
      return containers.get(0);
    }
    return containers.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                FailureTypes.notFound(
                    "target.container: '"
                        + name
                        + "' is not a container of Deployment "
                        + d.getMetadata().getName()));
  }

  static Map<String, String> labels(Deployment d) {
    return d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels();
  }

  static Map<String, String> annotations(Deployment d) {
    return d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
  }
}
