package dev.opsflow.activities.rollout;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.KubernetesNames;
import dev.opsflow.activities.kubernetes.ServicePatch;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
import dev.opsflow.contracts.rollout.RolloutTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlueGreenActivities} on one cluster, through the {@link CanaryPair} the canary's release
 * steps use (same client, allow list, replica ceiling, conflict retries and ready waits). Does not
 * close the pair: {@link ReleaseActivitiesImpl} owns it.
 */
public final class BlueGreenActivitiesImpl implements BlueGreenActivities {
  private static final Logger log = LoggerFactory.getLogger(BlueGreenActivitiesImpl.class);

  /** On the preview Deployment and its pods: the active Deployment it is the preview of. */
  public static final String PREVIEW_OF = "rollouts.opsflow.dev/preview-of";

  /** On the preview's pods and selector: {@code preview}. */
  public static final String COLOUR = "rollouts.opsflow.dev/colour";

  /** On the preview Deployment: the active Service's selector before the release. */
  public static final String ACTIVE_SELECTOR = "rollouts.opsflow.dev/active-selector";

  /** On the preview Deployment: the workflow ID of the rollout that owns it. */
  public static final String ROLLOUT = "rollouts.opsflow.dev/rollout";

  /** On the active Deployment: the promotion's action id. */
  public static final String PROMOTE_ACTION = "rollouts.opsflow.dev/promote-action-id";

  /** On the active Deployment, written with the promotion: its image before it. */
  public static final String PROMOTE_PREVIOUS_IMAGE = "rollouts.opsflow.dev/promote-previous-image";

  private final CanaryPair pair;
  private final long readyTimeoutSeconds;

  public BlueGreenActivitiesImpl(CanaryPair pair, long readyTimeoutSeconds) {
    this.pair = pair;
    this.readyTimeoutSeconds = readyTimeoutSeconds;
  }

  @Override
  public ColourState deployPreview(ColourRequest request) {
    RolloutTarget target = required(request);
    String preview = BlueGreenRequest.previewOf(target.deployment());
    pair.check(target, "deploying preview " + preview);
    if (target.image() == null || target.image().isBlank()) {
      throw FailureTypes.invalidInput("target.image: is required");
    }
    Map<String, String> previewSelector = previewSelector(target);
    ColourState deployed =
        CanaryPair.retryingConflicts(() -> writePreview(request, preview, previewSelector));
    pair.awaitReady(target.namespace(), preview, deployed.previewReplicas(), readyTimeoutSeconds);
    boolean pointed =
        pair.kubernetes
            .patchServiceSelector(
                new ServicePatch(
                    request.actionId() + ":preview-service",
                    target.namespace(),
                    request.previewService(),
                    previewSelector))
            .changed();
    return state(
        request,
        deployed.activeSelector(),
        deployed.changed() || pointed,
        deployed.detail()
            + ", ready; Service "
            + request.previewService()
            + " selects "
            + previewSelector);
  }

  private ColourState writePreview(
      ColourRequest request, String preview, Map<String, String> previewSelector) {
    RolloutTarget target = request.target();
    Deployment active = pair.stable(target);
    Container container = CanaryPair.container(active, target.container());
    Deployment existing = pair.read(target.namespace(), preview);
    if (existing != null) {
      requireOurs(existing, target);
    }
    Map<String, String> activeSelector = activeSelector(request, previewSelector, existing);
    int replicas = KubernetesActivitiesImpl.info(active).replicas();
    pair.limits.requireReplicasAllowed(
        replicas, "a preview of " + target.namespace() + "/" + target.deployment());
    Deployment wanted =
        previewOf(active, container.getName(), request, replicas, activeSelector, previewSelector);
    if (existing == null) {
      KubernetesActivitiesImpl.call(
          "create Deployment " + preview,
          () ->
              pair.client
                  .apps()
                  .deployments()
                  .inNamespace(target.namespace())
                  .resource(wanted)
                  .create());
      log.info(
          "Created preview {}/{} of {} with {} at {} replicas (rollout {})",
          target.namespace(),
          preview,
          target.deployment(),
          target.image(),
          replicas,
          request.rolloutId());
      return state(request, activeSelector, true, "preview created with " + target.image());
    }
    boolean same =
        wanted.getSpec().getTemplate().equals(existing.getSpec().getTemplate())
            && Integer.valueOf(replicas).equals(existing.getSpec().getReplicas())
            && wanted.getMetadata().getAnnotations().equals(CanaryPair.annotations(existing));
    if (same) {
      return state(request, activeSelector, false, "preview already runs " + target.image());
    }
    pair.patch(
        existing,
        d -> {
          d.getMetadata().setLabels(wanted.getMetadata().getLabels());
          d.getMetadata().setAnnotations(wanted.getMetadata().getAnnotations());
          d.getSpec().setTemplate(wanted.getSpec().getTemplate());
          d.getSpec().setReplicas(replicas);
          // The selector is immutable: kept as created (the same two labels).
        });
    log.info(
        "Updated preview {}/{} to {} at {} replicas (rollout {})",
        target.namespace(),
        preview,
        target.image(),
        replicas,
        request.rolloutId());
    return state(request, activeSelector, true, "preview updated to " + target.image());
  }

  /**
   * The active Service's selector before the release. When the Service already selects the preview
   * (an earlier run stopped after its switch), the one recorded on the preview stands.
   */
  private Map<String, String> activeSelector(
      ColourRequest request, Map<String, String> previewSelector, Deployment existing) {
    Map<String, String> now = selector(request.target().namespace(), request.target().service());
    if (!now.equals(previewSelector)) {
      return now;
    }
    String recorded =
        existing == null ? null : CanaryPair.annotations(existing).get(ACTIVE_SELECTOR);
    if (recorded == null || recorded.isBlank()) {
      throw FailureTypes.invalidInput(
          "Service "
              + request.target().service()
              + " selects the preview's pods and no earlier selector is recorded on the preview ("
              + ACTIVE_SELECTOR
              + "): point it at the active pods by hand first");
    }
    return parse(recorded);
  }

  private Map<String, String> selector(String namespace, String service) {
    Service s =
        KubernetesActivitiesImpl.call(
            "get Service " + namespace + "/" + service,
            () -> pair.client.services().inNamespace(namespace).withName(service).get());
    if (s == null) {
      throw FailureTypes.notFound("Service " + namespace + "/" + service + " does not exist");
    }
    Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      throw FailureTypes.invalidInput(
          "Service " + namespace + "/" + service + " has no selector: nothing to switch");
    }
    return Map.copyOf(selector);
  }

  /** The preview: the active's pod template with the new image, relabelled as the preview. */
  private static Deployment previewOf(
      Deployment active,
      String container,
      ColourRequest request,
      int replicas,
      Map<String, String> activeSelector,
      Map<String, String> previewSelector) {
    RolloutTarget target = request.target();
    PodTemplateSpec template = new PodTemplateSpecBuilder(active.getSpec().getTemplate()).build();
    ObjectMeta podMeta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> podLabels =
        podMeta.getLabels() == null ? new HashMap<>() : new HashMap<>(podMeta.getLabels());
    // Without the keys the active Service selects on, it cannot reach the preview before the
    // switch.
    activeSelector.keySet().forEach(podLabels::remove);
    podLabels.putAll(previewSelector);
    podMeta.setLabels(podLabels);
    template.setMetadata(podMeta);
    template.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(container))
        .forEach(c -> c.setImage(target.image()));
    Map<String, String> labels = new HashMap<>(CanaryPair.labels(active));
    activeSelector.keySet().forEach(labels::remove);
    labels.put(CanaryPair.MANAGED_BY, KubernetesActivitiesImpl.FIELD_MANAGER);
    labels.putAll(previewSelector);
    Map<String, String> annotations = new HashMap<>();
    annotations.put(ROLLOUT, request.rolloutId());
    annotations.put(ACTIVE_SELECTOR, format(activeSelector));
    DeploymentSpec spec = new DeploymentSpec();
    spec.setReplicas(replicas);
    spec.setSelector(new LabelSelector(null, previewSelector));
    spec.setTemplate(template);
    spec.setStrategy(active.getSpec().getStrategy());
    spec.setMinReadySeconds(active.getSpec().getMinReadySeconds());
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(BlueGreenRequest.previewOf(target.deployment()))
        .withNamespace(target.namespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  @Override
  public ColourState promoteActive(ColourRequest request) {
    return CanaryPair.retryingConflicts(() -> promote(request));
  }

  private ColourState promote(ColourRequest request) {
    RolloutTarget target = required(request);
    pair.check(target, "promoting " + target.image() + " to " + target.deployment());
    Deployment active = pair.stable(target);
    Container container = CanaryPair.container(active, target.container());
    int replicas = KubernetesActivitiesImpl.info(active).replicas();
    pair.limits.requireReplicasAllowed(
        replicas, "promoting " + target.namespace() + "/" + target.deployment());
    Map<String, String> annotations = CanaryPair.annotations(active);
    boolean applied = request.actionId().equals(annotations.get(PROMOTE_ACTION));
    boolean changed = false;
    if (!applied && !target.image().equals(container.getImage())) {
      String previous = container.getImage();
      pair.patch(
          active,
          d -> {
            CanaryPair.container(d, container.getName()).setImage(target.image());
            Map<String, String> a = new HashMap<>(CanaryPair.annotations(d));
            a.put(PROMOTE_ACTION, request.actionId());
            a.put(PROMOTE_PREVIOUS_IMAGE, previous);
            d.getMetadata().setAnnotations(a);
          });
      changed = true;
      log.info(
          "Promoted {}/{}: {} -> {} at {} replicas (rollout {})",
          target.namespace(),
          target.deployment(),
          previous,
          target.image(),
          replicas,
          request.rolloutId());
    }
    pair.kubernetes.waitForRollout(target.namespace(), target.deployment(), readyTimeoutSeconds);
    Map<String, String> recorded = recordedActiveSelector(target);
    return state(
        request,
        recorded,
        changed,
        target.deployment() + " runs " + target.image() + " at " + replicas + ", ready");
  }

  @Override
  public ColourState scalePreviewDown(ColourRequest request) {
    RolloutTarget target = required(request);
    String preview = BlueGreenRequest.previewOf(target.deployment());
    pair.check(target, "scaling preview " + preview + " down");
    Deployment existing = pair.read(target.namespace(), preview);
    if (existing == null) {
      return state(request, Map.of(), false, "no preview to scale down");
    }
    requireOurs(existing, target);
    boolean changed = pair.scale(request.actionId() + ":preview", target.namespace(), preview, 0);
    return state(
        request,
        recordedActiveSelector(target),
        changed,
        changed ? "preview scaled to 0" : "preview already at 0 replicas");
  }

  // ---- reads ----

  private static Map<String, String> previewSelector(RolloutTarget target) {
    return Map.of(PREVIEW_OF, target.deployment(), COLOUR, "preview");
  }

  private Map<String, String> recordedActiveSelector(RolloutTarget target) {
    Deployment preview =
        pair.read(target.namespace(), BlueGreenRequest.previewOf(target.deployment()));
    String recorded = preview == null ? null : CanaryPair.annotations(preview).get(ACTIVE_SELECTOR);
    return recorded == null ? Map.of() : parse(recorded);
  }

  private ColourState state(
      ColourRequest request, Map<String, String> activeSelector, boolean changed, String detail) {
    RolloutTarget target = request.target();
    String name = BlueGreenRequest.previewOf(target.deployment());
    Deployment active = pair.stable(target);
    Deployment preview = pair.read(target.namespace(), name);
    var p = preview == null ? null : KubernetesActivitiesImpl.info(preview);
    return new ColourState(
        name,
        p == null ? 0 : p.replicas(),
        p == null ? 0 : p.readyReplicas(),
        KubernetesActivitiesImpl.info(active).replicas(),
        CanaryPair.container(active, target.container()).getImage(),
        activeSelector,
        previewSelector(target),
        changed,
        detail);
  }

  private static void requireOurs(Deployment preview, RolloutTarget target) {
    Map<String, String> labels = CanaryPair.labels(preview);
    if (!KubernetesActivitiesImpl.FIELD_MANAGER.equals(labels.get(CanaryPair.MANAGED_BY))
        || !target.deployment().equals(labels.get(PREVIEW_OF))) {
      throw FailureTypes.forbiddenTarget(
          "Deployment "
              + target.namespace()
              + "/"
              + preview.getMetadata().getName()
              + " exists but is not opsflow's preview of "
              + target.deployment()
              + " (labels "
              + CanaryPair.MANAGED_BY
              + "=opsflow, "
              + PREVIEW_OF
              + "="
              + target.deployment()
              + "): refusing to change it");
    }
  }

  /** {@code k=v,k=v}: label keys and values hold neither ',' nor '='. */
  static String format(Map<String, String> selector) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(selector)
        .forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return s.toString();
  }

  static Map<String, String> parse(String recorded) {
    Map<String, String> selector = new HashMap<>();
    for (String pair : recorded.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        selector.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return Map.copyOf(selector);
  }

  private static RolloutTarget required(ColourRequest request) {
    if (request == null || request.target() == null) {
      throw FailureTypes.invalidInput("target: is required");
    }
    if (request.actionId() == null || request.actionId().isBlank()) {
      throw FailureTypes.invalidInput("actionId: is required");
    }
    if (request.rolloutId() == null || request.rolloutId().isBlank()) {
      throw FailureTypes.invalidInput("rolloutId: is required");
    }
    KubernetesActivitiesImpl.checkNames(
        () -> KubernetesNames.service("previewService", request.previewService()));
    return request.target();
  }
}
