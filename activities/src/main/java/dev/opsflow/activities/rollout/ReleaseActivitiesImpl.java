package dev.opsflow.activities.rollout;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.KubernetesNames;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.rollout.RolloutTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ReleaseActivities} on one cluster, through a {@link CanaryPair}. */
public final class ReleaseActivitiesImpl implements ReleaseActivities, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReleaseActivitiesImpl.class);

  /** How long a scale or promotion waits for ready pods within one attempt. */
  public static final long READY_TIMEOUT_SECONDS = 600;

  private final CanaryPair pair;
  private final RolloutSettings settings;
  private final long readyTimeoutSeconds;

  public ReleaseActivitiesImpl(
      CanaryPair pair, RolloutSettings settings, long readyTimeoutSeconds) {
    this.pair = pair;
    this.settings = settings;
    this.readyTimeoutSeconds = readyTimeoutSeconds;
  }

  /** On the configured cluster, with {@code rollout.*} from the configuration. */
  public static ReleaseActivitiesImpl fromConfig(OpsflowConfig config, CanaryPair pair) {
    return new ReleaseActivitiesImpl(pair, settings(config.rollout()), READY_TIMEOUT_SECONDS);
  }

  /** Closes the pair's client (the routers sharing it are closed with it). */
  @Override
  public void close() {
    pair.close();
  }

  /** The server's {@code rollout.*} settings as the activities give them to a run. */
  public static RolloutSettings settings(OpsflowConfig.Rollout rollout) {
    return new RolloutSettings(
        rollout.progressDeadline().toSeconds(),
        rollout.scaleDownDelay().toSeconds(),
        rollout.retryWindow().toSeconds(),
        rollout.requireApproval());
  }

  @Override
  public RolloutSettings settings() {
    return settings;
  }

  @Override
  public ReleaseState deployCanary(ReleaseRequest request) {
    return CanaryPair.retryingConflicts(() -> deploy(request));
  }

  private ReleaseState deploy(ReleaseRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "deploying canary " + target.canaryDeployment());
    if (target.image() == null || target.image().isBlank()) {
      throw FailureTypes.invalidInput("target.image: is required");
    }
    Deployment stable = pair.stable(target);
    Container container = CanaryPair.container(stable, target.container());
    Deployment existing = pair.read(target.namespace(), target.canaryDeployment());
    if (existing != null) {
      CanaryPair.requireOurs(existing, target);
    }
    // The before-state: while a canary has pods, a rollout is in flight (perhaps one that crashed
    // with the stable scaled down), so its record stands; otherwise the stable's count now.
    boolean inFlight =
        existing != null
            && existing.getSpec().getReplicas() != null
            && existing.getSpec().getReplicas() > 0
            && CanaryPair.annotations(existing).containsKey(CanaryPair.STABLE_REPLICAS_BEFORE);
    int capacity =
        inFlight ? CanaryPair.capacity(existing) : KubernetesActivitiesImpl.info(stable).replicas();
    pair.limits.requireReplicasAllowed(
        capacity, "a canary of " + target.namespace() + "/" + target.deployment());
    String imageBefore =
        inFlight
            ? CanaryPair.annotations(existing)
                .getOrDefault(CanaryPair.STABLE_IMAGE_BEFORE, container.getImage())
            : container.getImage();
    Deployment wanted = canaryOf(stable, container.getName(), request, capacity, imageBefore);
    if (existing == null) {
      KubernetesActivitiesImpl.call(
          "create Deployment " + target.canaryDeployment(),
          () ->
              pair.client
                  .apps()
                  .deployments()
                  .inNamespace(target.namespace())
                  .resource(wanted)
                  .create());
      log.info(
          "Created canary {}/{} of {} with {} (capacity {}, rollout {})",
          target.namespace(),
          target.canaryDeployment(),
          target.deployment(),
          target.image(),
          capacity,
          request.rolloutId());
      return pair.state(target, true, "created with " + target.image() + ", 0 replicas");
    }
    if (sameRelease(existing, wanted, request)) {
      return pair.state(target, false, "already deployed with " + target.image());
    }
    pair.patch(
        existing,
        d -> {
          d.getMetadata().setLabels(wanted.getMetadata().getLabels());
          d.getMetadata().setAnnotations(merged(d, wanted.getMetadata().getAnnotations()));
          d.getSpec().setTemplate(wanted.getSpec().getTemplate());
          // The selector is immutable: kept as created (it already holds the track label).
        });
    log.info(
        "Updated canary {}/{} to {} (rollout {})",
        target.namespace(),
        target.canaryDeployment(),
        target.image(),
        request.rolloutId());
    return pair.state(target, true, "updated to " + target.image());
  }

  /** The canary Deployment: the stable's pod template with the new image and the track label. */
  private static Deployment canaryOf(
      Deployment stable, String container, ReleaseRequest request, int capacity, String before) {
    RolloutTarget target = request.target();
    PodTemplateSpec template =
        new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(stable.getSpec().getTemplate())
            .build();
    ObjectMeta podMeta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> podLabels =
        podMeta.getLabels() == null ? new HashMap<>() : new HashMap<>(podMeta.getLabels());
    podLabels.put(CanaryPair.TRACK, "canary");
    podMeta.setLabels(podLabels);
    template.setMetadata(podMeta);
    template.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(container))
        .forEach(c -> c.setImage(target.image()));
    Map<String, String> selector = new HashMap<>();
    LabelSelector stableSelector = stable.getSpec().getSelector();
    if (stableSelector != null && stableSelector.getMatchLabels() != null) {
      selector.putAll(stableSelector.getMatchLabels());
    }
    selector.put(CanaryPair.TRACK, "canary");
    Map<String, String> labels = new HashMap<>(CanaryPair.labels(stable));
    labels.put(CanaryPair.MANAGED_BY, KubernetesActivitiesImpl.FIELD_MANAGER);
    labels.put(CanaryPair.CANARY_OF, target.deployment());
    labels.put(CanaryPair.TRACK, "canary");
    Map<String, String> annotations = new HashMap<>();
    annotations.put(CanaryPair.ROLLOUT, request.rolloutId());
    annotations.put(CanaryPair.STABLE_REPLICAS_BEFORE, Integer.toString(capacity));
    annotations.put(CanaryPair.STABLE_IMAGE_BEFORE, before);
    annotations.put(CanaryPair.DEPLOY_ACTION, request.actionId());
    DeploymentSpec spec = new DeploymentSpec();
    spec.setReplicas(0);
    spec.setSelector(new LabelSelector(null, selector));
    spec.setTemplate(template);
    spec.setStrategy(stable.getSpec().getStrategy());
    spec.setMinReadySeconds(stable.getSpec().getMinReadySeconds());
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(target.canaryDeployment())
        .withNamespace(target.namespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  private static boolean sameRelease(Deployment existing, Deployment wanted, ReleaseRequest r) {
    Map<String, String> a = CanaryPair.annotations(existing);
    return r.rolloutId().equals(a.get(CanaryPair.ROLLOUT))
        && wanted
            .getMetadata()
            .getAnnotations()
            .get(CanaryPair.STABLE_REPLICAS_BEFORE)
            .equals(a.get(CanaryPair.STABLE_REPLICAS_BEFORE))
        && wanted.getSpec().getTemplate().equals(existing.getSpec().getTemplate());
  }

  private static Map<String, String> merged(Deployment d, Map<String, String> ours) {
    Map<String, String> all = new HashMap<>(CanaryPair.annotations(d));
    all.putAll(ours);
    return all;
  }

  @Override
  public ReleaseState scaleCanary(ReleaseRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "scaling canary " + target.canaryDeployment());
    if (request.weight() < 0 || request.weight() > 100) {
      throw FailureTypes.invalidInput("weight: " + request.weight() + " is not 0-100");
    }
    Deployment canary = pair.canary(target);
    int capacity = CanaryPair.capacity(canary);
    int want = CanaryPair.canaryShare(capacity, request.weight());
    int has = KubernetesActivitiesImpl.info(canary).replicas();
    // Never fewer pods while traffic may still reach them: shrinking is the router's and
    // scaleCanaryDown's job, after the traffic moved.
    boolean changed =
        want > has
            && pair.scale(
                request.actionId() + ":canary",
                target.namespace(),
                target.canaryDeployment(),
                want);
    int replicas = Math.max(want, has);
    pair.awaitReady(target.namespace(), target.canaryDeployment(), replicas, readyTimeoutSeconds);
    return pair.state(
        target,
        changed,
        "canary " + replicas + " of " + capacity + " for " + request.weight() + "%, ready");
  }

  @Override
  public DeploymentInfo awaitReady(ReadyRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("awaitReady needs a request");
    }
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.deployment("deployment", request.deployment());
        });
    if (request.replicas() < 0) {
      throw FailureTypes.invalidInput("replicas: must not be negative, was " + request.replicas());
    }
    return pair.awaitReady(
        request.namespace(), request.deployment(), request.replicas(), request.timeoutSeconds());
  }

  @Override
  public ReleaseState restoreStable(ReleaseRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "restoring " + target.deployment());
    Deployment canary = pair.read(target.namespace(), target.canaryDeployment());
    if (canary == null) {
      return pair.state(target, false, "no canary: the stable was never scaled");
    }
    CanaryPair.requireOurs(canary, target);
    int capacity = CanaryPair.capacity(canary);
    boolean changed =
        pair.scale(
            request.actionId() + ":stable", target.namespace(), target.deployment(), capacity);
    pair.awaitReady(target.namespace(), target.deployment(), capacity, readyTimeoutSeconds);
    return pair.state(
        target, changed, "stable " + target.deployment() + " at " + capacity + " replicas, ready");
  }

  @Override
  public ReleaseState scaleCanaryDown(ReleaseRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "scaling canary " + target.canaryDeployment() + " down");
    Deployment canary = pair.read(target.namespace(), target.canaryDeployment());
    if (canary == null) {
      return pair.state(target, false, "no canary to scale down");
    }
    CanaryPair.requireOurs(canary, target);
    boolean changed =
        pair.scale(
            request.actionId() + ":canary", target.namespace(), target.canaryDeployment(), 0);
    return pair.state(
        target, changed, changed ? "canary scaled to 0" : "canary already at 0 replicas");
  }

  @Override
  public ReleaseState promote(ReleaseRequest request) {
    return CanaryPair.retryingConflicts(() -> promoteStable(request));
  }

  private ReleaseState promoteStable(ReleaseRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "promoting " + target.image() + " to " + target.deployment());
    Deployment canary = pair.canary(target);
    int capacity = CanaryPair.capacity(canary);
    pair.limits.requireReplicasAllowed(
        capacity, "promoting " + target.namespace() + "/" + target.deployment());
    Deployment stable = pair.stable(target);
    Container container = CanaryPair.container(stable, target.container());
    Map<String, String> annotations = CanaryPair.annotations(stable);
    boolean applied = request.actionId().equals(annotations.get(CanaryPair.PROMOTE_ACTION));
    boolean there =
        target.image().equals(container.getImage())
            && KubernetesActivitiesImpl.info(stable).replicas() == capacity;
    boolean changed = false;
    if (!applied && !there) {
      // One patch: the new image, the full capacity, and the record of the image before.
      String previous = container.getImage();
      pair.patch(
          stable,
          d -> {
            d.getSpec().setReplicas(capacity);
            CanaryPair.container(d, container.getName()).setImage(target.image());
            Map<String, String> a = new HashMap<>(CanaryPair.annotations(d));
            a.put(CanaryPair.PROMOTE_ACTION, request.actionId());
            a.put(CanaryPair.PROMOTE_PREVIOUS_IMAGE, previous);
            d.getMetadata().setAnnotations(a);
          });
      changed = true;
      log.info(
          "Promoted {}/{}: {} -> {} at {} replicas (rollout {})",
          target.namespace(),
          target.deployment(),
          previous,
          target.image(),
          capacity,
          request.rolloutId());
    }
    pair.kubernetes.waitForRollout(target.namespace(), target.deployment(), readyTimeoutSeconds);
    return pair.state(
        target,
        changed,
        "stable " + target.deployment() + " runs " + target.image() + " at " + capacity);
  }

  private static RolloutTarget required(ReleaseRequest request) {
    if (request == null || request.target() == null) {
      throw FailureTypes.invalidInput("target: is required");
    }
    if (request.actionId() == null || request.actionId().isBlank()) {
      throw FailureTypes.invalidInput("actionId: is required");
    }
    if (request.rolloutId() == null || request.rolloutId().isBlank()) {
      throw FailureTypes.invalidInput("rolloutId: is required");
    }
    return request.target();
  }
}
