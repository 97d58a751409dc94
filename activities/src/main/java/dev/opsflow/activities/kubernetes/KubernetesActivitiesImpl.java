package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.config.OpsflowConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesActivities} over one fabric8 client. Every method first checks each name it was
 * given ({@link KubernetesNames}: {@code InvalidName} before any request), mutating methods then
 * the namespace allow-list and the worker's {@link HardLimits}; every write names {@value
 * #FIELD_MANAGER} as its field manager, so {@code managedFields} shows who changed what.
 */
public final class KubernetesActivitiesImpl implements KubernetesActivities, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  static final String RESTART_ACTION = "opsflow.dev/restart-action-id";

  /** On the Deployment (not its pod template, which would roll the pods): the last scale's id. */
  static final String SCALE_ACTION = "opsflow.dev/scale-action-id";

  /** Written with {@link #SCALE_ACTION}: the replica count before that scale. */
  static final String SCALE_PREVIOUS = "opsflow.dev/scale-previous-replicas";

  /** On the Deployment, written with the restart: the pod template's restartedAt before it. */
  static final String RESTART_PREVIOUS = "opsflow.dev/restart-previous-restarted-at";

  /** On the Deployment, written with the restart: its revision before it. */
  static final String RESTART_PREVIOUS_REVISION = "opsflow.dev/restart-previous-revision";

  /** The Deployment controller's revision counter, bumped by each rollout. */
  static final String REVISION = "deployment.kubernetes.io/revision";

  /** On the Deployment: the last memory change's id. */
  static final String MEMORY_ACTION = "opsflow.dev/memory-action-id";

  /** Written with {@link #MEMORY_ACTION}: the container's memory limit before that change. */
  static final String MEMORY_PREVIOUS_LIMIT = "opsflow.dev/memory-previous-limit";

  /** Written with {@link #MEMORY_ACTION}: the container's memory request before that change. */
  static final String MEMORY_PREVIOUS_REQUEST = "opsflow.dev/memory-previous-request";

  /** The field manager of every write, as {@code kubectl} names itself "kubectl-edit" etc. */
  public static final String FIELD_MANAGER = "opsflow";

  /**
   * A JSON patch computed from the object as read and as changed (what {@code edit} sends), with
   * our field manager. Not server-side apply: it would take ownership of fields opsflow never set.
   */
  private static final PatchContext WRITE =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager(FIELD_MANAGER)
          .build();

  /** KEDA's ScaledObject, read as a generic resource: KEDA may not be installed at all. */
  static final ResourceDefinitionContext SCALED_OBJECT =
      new ResourceDefinitionContext.Builder()
          .withGroup("keda.sh")
          .withVersion("v1alpha1")
          .withKind("ScaledObject")
          .withPlural("scaledobjects")
          .withNamespaced(true)
          .build();

  private static final int MAX_OUTPUT = 64 * 1024;

  /**
   * The rollout wait reads the Deployment at once, then after 25 ms, doubling up to 2 s (25, 75,
   * 175, 375 ms ...): a controller that rolls out in tens of milliseconds (the sandbox's, which
   * reacts to a change through a watch, took 40-80 ms) is seen within about that, while a rollout
   * of minutes costs one read every 2 s, as before. A watch per waiting run would see it sooner,
   * but held one stream per run: 200 waits at once exhausted fabric8's HTTP/2 connection (tried and
   * reverted).
   */
  public static final Duration ROLLOUT_FIRST_POLL = Duration.ofMillis(25);

  public static final Duration ROLLOUT_MAX_POLL = Duration.ofSeconds(2);

  private final KubernetesClient client;

  /** Where writes run while the activity's own thread heartbeats (see {@link #write}). */
  private final ExecutorService writes = daemonThreads("kubernetes-write");

  /** Where the reads that one activity makes at once run beside its own thread. */
  private final ExecutorService reads = daemonThreads("kubernetes-read");

  private static ExecutorService daemonThreads(String name) {
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private final NamespaceAllowList allowList;
  private final HardLimits limits;

  /**
   * @param allowList the namespaces opsflow may change ({@code kubernetes.allowedNamespaces})
   * @param limits the worker's ceilings on replicas and memory ({@code healing.*}), never a
   *     caller's
   */
  public KubernetesActivitiesImpl(
      KubernetesClient client, NamespaceAllowList allowList, HardLimits limits) {
    this.client = client;
    this.allowList = allowList;
    this.limits = limits;
  }

  /**
   * Where the cluster is and how to authenticate: the configured kubeconfig (and context), else
   * fabric8's auto-configuration (KUBECONFIG, ~/.kube/config, in-cluster service account).
   */
  public static Config clusterConfig(OpsflowConfig config) {
    String context = config.kubernetes().context().isEmpty() ? null : config.kubernetes().context();
    String kubeconfig = config.kubernetes().kubeconfig();
    return kubeconfig.isEmpty()
        ? Config.autoConfigure(context)
        : Config.fromKubeconfig(context, new File(kubeconfig));
  }

  /** A client for {@link #clusterConfig}. */
  public static KubernetesActivitiesImpl fromConfig(OpsflowConfig config) {
    return new KubernetesActivitiesImpl(
        client(config),
        new NamespaceAllowList(config.kubernetes().allowedNamespaces()),
        HardLimits.fromConfig(config));
  }

  /** A client for {@link #clusterConfig}, tuned as every opsflow activity's. */
  public static KubernetesClient client(OpsflowConfig config) {
    return new KubernetesClientBuilder().withConfig(tunedConfig(config)).build();
  }

  /**
   * {@link #clusterConfig} as every opsflow client of the cluster uses it. Temporal's retry policy
   * is the one retry loop: the client's own (10 attempts with backoff on 5xx by default) would hide
   * a failing API server from it for minutes. HTTP/1.1: over HTTP/2 the JDK's HttpClient (fabric8's
   * transport here) keeps one connection per server and fails every request past the server's
   * concurrent-stream limit at once ("too many concurrent streams", JDK-8225647), which a busy
   * worker reaches (the mock API server's limit is 100; kube-apiserver's is configurable); over
   * HTTP/1.1 it opens another pooled connection instead.
   */
  public static Config tunedConfig(OpsflowConfig config) {
    return tunedConfig(clusterConfig(config));
  }

  /** {@code cluster} tuned as {@link #tunedConfig(OpsflowConfig)} says. */
  public static Config tunedConfig(Config cluster) {
    return new io.fabric8.kubernetes.client.ConfigBuilder(cluster)
        .withRequestRetryBackoffLimit(0)
        .withRequestTimeout(20_000)
        .withHttp2Disable(true)
        .build();
  }

  @Override
  public DeploymentInfo getDeployment(String namespace, String name) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", namespace);
          KubernetesNames.deployment("name", name);
        });
    return call("get Deployment " + namespace + "/" + name, () -> info(existing(namespace, name)));
  }

  @Override
  public DeploymentInspection inspectDeployment(String namespace, String deployment) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", namespace);
          KubernetesNames.deployment("deployment", deployment);
        });
    boolean allowed = allowList.allows(namespace);
    return call(
        "inspect Deployment " + namespace + "/" + deployment,
        () -> {
          // The three reads at once: one round trip to the API server instead of three, before
          // every action that the governor is asked to admit.
          Future<String> autoscaler = reads.submit(() -> autoscalerOf(namespace, deployment));
          Future<String> scaledObject = reads.submit(() -> scaledObjectOf(namespace, deployment));
          try {
            Deployment d = deployment(namespace, deployment).get();
            if (d == null) {
              return new DeploymentInspection(namespace, deployment, false, allowed, 0, "", "", "");
            }
            return new DeploymentInspection(
                namespace,
                deployment,
                true,
                allowed,
                replicasOf(d),
                answerOf(autoscaler),
                answerOf(scaledObject),
                GitOpsOwner.of(d.getMetadata().getLabels(), d.getMetadata().getAnnotations()));
          } finally {
            autoscaler.cancel(true);
            scaledObject.cancel(true);
          }
        });
  }

  /** A read's answer, or the read's own failure (for {@link #call} to name). */
  private static <T> T answerOf(Future<T> read) throws Exception {
    try {
      return read.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception failure) {
        throw failure;
      }
      throw e;
    }
  }

  /** The first autoscaling/v2 HPA whose scale target is this Deployment, or "". */
  private String autoscalerOf(String namespace, String deployment) {
    for (HorizontalPodAutoscaler hpa :
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(namespace)
            .list()
            .getItems()) {
      CrossVersionObjectReference target =
          hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
      if (target != null
          && "Deployment".equals(target.getKind())
          && deployment.equals(target.getName())) {
        return hpa.getMetadata().getName();
      }
    }
    return "";
  }

  /**
   * The first KEDA ScaledObject whose {@code spec.scaleTargetRef} names this Deployment (KEDA's
   * default kind when none is given), or "". A 404 on the list means the CRD is not installed, so
   * nothing is scaled by KEDA; any other failure is not a "no".
   */
  private String scaledObjectOf(String namespace, String deployment) {
    List<GenericKubernetesResource> items;
    try {
      items =
          client.genericKubernetesResources(SCALED_OBJECT).inNamespace(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return "";
      }
      throw e;
    }
    for (GenericKubernetesResource so : items) {
      if (so.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
          && spec.get("scaleTargetRef") instanceof Map<?, ?> target
          && deployment.equals(target.get("name"))
          && (target.get("kind") == null || "Deployment".equals(target.get("kind")))) {
        return so.getMetadata().getName();
      }
    }
    return "";
  }

  @Override
  public ScaleResult scaleDeployment(ScaleRequest request) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.deployment("name", request.name());
        });
    allowList.requireAllowed(request.namespace(), "scaling " + request.name());
    if (request.replicas() < 0) {
      throw FailureTypes.invalidInput("replicas must be >= 0, got " + request.replicas());
    }
    limits.requireReplicasAllowed(
        request.replicas(), "scaling " + request.namespace() + "/" + request.name());
    return write(
        "scale Deployment " + request.namespace() + "/" + request.name(),
        () -> {
          Deployment current = existing(request.namespace(), request.name());
          int previous = replicasOf(current);
          Map<String, String> annotations = annotations(current);
          if (request.actionId().equals(annotations.get(SCALE_ACTION))) {
            // A retry of a scale that was applied (the worker died before it reported back):
            // report the count from before the first attempt, not "6 -> 6".
            int before = parseOr(annotations.get(SCALE_PREVIOUS), previous);
            return new ScaleResult(before, previous, before != previous);
          }
          if (previous == request.replicas()) {
            return new ScaleResult(previous, previous, false);
          }
          // One patch: the new count and the record of which action set it from what.
          patch(
              current,
              d -> {
                d.getSpec().setReplicas(request.replicas());
                Map<String, String> a = new HashMap<>(annotations);
                a.put(SCALE_ACTION, request.actionId());
                a.put(SCALE_PREVIOUS, Integer.toString(previous));
                d.getMetadata().setAnnotations(a);
              });
          log.info(
              "Scaled {}/{} from {} to {} (action {})",
              request.namespace(),
              request.name(),
              previous,
              request.replicas(),
              request.actionId());
          return new ScaleResult(previous, request.replicas(), true);
        });
  }

  @Override
  public MemoryResult setContainerMemory(MemoryRequest request) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.deployment("deployment", request.deployment());
          KubernetesNames.optionalContainer("container", request.container());
        });
    allowList.requireAllowed(request.namespace(), "changing memory of " + request.deployment());
    Quantity limit = quantity("memoryLimit", request.memoryLimit());
    Quantity wanted =
        request.memoryRequest() == null || request.memoryRequest().isBlank()
            ? null
            : quantity("memoryRequest", request.memoryRequest());
    String what = "setting memory of " + request.namespace() + "/" + request.deployment();
    limits.requireMemoryAllowed("memoryLimit", limit, what);
    if (wanted != null) {
      limits.requireMemoryAllowed("memoryRequest", wanted, what);
    }
    return write(
        "set memory of " + request.namespace() + "/" + request.deployment(),
        () -> {
          Deployment deployment = existing(request.namespace(), request.deployment());
          Container current = container(deployment, request.container());
          String previousLimit = resource(current.getResources(), false, "memory");
          String previousRequest = resource(current.getResources(), true, "memory");
          String newRequest = wanted == null ? previousRequest : wanted.toString();
          Map<String, String> annotations = annotations(deployment);
          if (request.actionId().equals(annotations.get(MEMORY_ACTION))) {
            // A retry of a change that was applied (the worker died before it reported back):
            // report the memory from before the first attempt, not "2Gi -> 2Gi".
            String beforeLimit = annotations.getOrDefault(MEMORY_PREVIOUS_LIMIT, previousLimit);
            String beforeRequest =
                annotations.getOrDefault(MEMORY_PREVIOUS_REQUEST, previousRequest);
            return new MemoryResult(
                beforeRequest,
                beforeLimit,
                previousRequest,
                previousLimit,
                !beforeLimit.equals(previousLimit) || !beforeRequest.equals(previousRequest));
          }
          if (limit.toString().equals(previousLimit)
              && Objects.equals(newRequest, previousRequest)) {
            return new MemoryResult(
                previousRequest, previousLimit, newRequest, limit.toString(), false);
          }
          // One patch: the new memory and the record of which action set it from what.
          patch(
              deployment,
              d -> {
                Container c = container(d, current.getName());
                ResourceRequirements r =
                    c.getResources() == null ? new ResourceRequirements() : c.getResources();
                Map<String, Quantity> limits =
                    r.getLimits() == null ? new HashMap<>() : new HashMap<>(r.getLimits());
                limits.put("memory", limit);
                r.setLimits(limits);
                if (wanted != null) {
                  Map<String, Quantity> requests =
                      r.getRequests() == null ? new HashMap<>() : new HashMap<>(r.getRequests());
                  requests.put("memory", wanted);
                  r.setRequests(requests);
                }
                c.setResources(r);
                Map<String, String> a = new HashMap<>(annotations);
                a.put(MEMORY_ACTION, request.actionId());
                a.put(MEMORY_PREVIOUS_LIMIT, previousLimit);
                a.put(MEMORY_PREVIOUS_REQUEST, previousRequest);
                d.getMetadata().setAnnotations(a);
              });
          log.info(
              "Memory of {}/{}/{}: limit {} -> {}, request {} -> {} (action {})",
              request.namespace(),
              request.deployment(),
              current.getName(),
              previousLimit,
              limit,
              previousRequest,
              newRequest,
              request.actionId());
          return new MemoryResult(
              previousRequest, previousLimit, newRequest, limit.toString(), true);
        });
  }

  @Override
  public RestartResult rolloutRestart(RestartRequest request) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.deployment("name", request.name());
        });
    allowList.requireAllowed(request.namespace(), "restarting " + request.name());
    return write(
        "rollout restart " + request.namespace() + "/" + request.name(),
        () -> {
          Deployment current = existing(request.namespace(), request.name());
          Map<String, String> template = templateAnnotations(current);
          Map<String, String> annotations = annotations(current);
          if (request.actionId().equals(template.get(RESTART_ACTION))) {
            // A retry of a restart that was applied: reported again with the state from before
            // the first attempt, never restarted twice.
            return new RestartResult(
                template.getOrDefault(RESTARTED_AT, ""),
                true,
                annotations.getOrDefault(RESTART_PREVIOUS, ""),
                annotations.getOrDefault(RESTART_PREVIOUS_REVISION, ""));
          }
          String previousRestartedAt = template.getOrDefault(RESTARTED_AT, "");
          String previousRevision = annotations.getOrDefault(REVISION, "");
          String now = Instant.now().toString();
          // One patch: the stamp that rolls the pods and the record of what was there before.
          patch(
              current,
              d -> {
                var meta = d.getSpec().getTemplate().getMetadata();
                Map<String, String> a = new HashMap<>(template);
                a.put(RESTARTED_AT, now);
                a.put(RESTART_ACTION, request.actionId());
                meta.setAnnotations(a);
                Map<String, String> before = new HashMap<>(annotations);
                before.put(RESTART_PREVIOUS, previousRestartedAt);
                before.put(RESTART_PREVIOUS_REVISION, previousRevision);
                d.getMetadata().setAnnotations(before);
              });
          log.info(
              "Rollout restart of {}/{} (action {})",
              request.namespace(),
              request.name(),
              request.actionId());
          return new RestartResult(now, true, previousRestartedAt, previousRevision);
        });
  }

  @Override
  public List<PodInfo> listPods(String namespace, String labelSelector) {
    String selector =
        checkedName(
            () -> {
              KubernetesNames.namespace("namespace", namespace);
              return KubernetesNames.labelSelector("labelSelector", labelSelector);
            });
    return call(
        "list pods in " + namespace,
        () -> {
          var pods = client.pods().inNamespace(namespace);
          List<Pod> items =
              (selector.isEmpty() ? pods.list() : pods.withLabelSelector(selector).list())
                  .getItems();
          return items.stream().map(KubernetesActivitiesImpl::pod).toList();
        });
  }

  @Override
  public List<ExecOutput> execInPods(ExecRequest request) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.labelSelector("labelSelector", request.labelSelector());
          KubernetesNames.optionalContainer("container", request.container());
        });
    allowList.requireAllowed(request.namespace(), "running commands in pods");
    if (request.command() == null || request.command().isEmpty()) {
      throw FailureTypes.invalidInput("command must not be empty");
    }
    long timeout = request.timeoutSeconds() > 0 ? request.timeoutSeconds() : 60;
    List<PodInfo> pods = listPods(request.namespace(), request.labelSelector());
    // Pod and container names come from the API server, yet still become URL path segments.
    checkNames(
        () ->
            pods.forEach(
                p -> {
                  KubernetesNames.pod("pod", p.name());
                  p.containers().forEach(c -> KubernetesNames.container("container", c.name()));
                }));
    if (pods.isEmpty()) {
      throw FailureTypes.notFound(
          "no pods match '" + request.labelSelector() + "' in " + request.namespace());
    }
    List<ExecOutput> outputs = new ArrayList<>();
    for (PodInfo pod : pods) {
      heartbeat("exec in " + pod.name());
      outputs.add(
          call(
              "exec in " + request.namespace() + "/" + pod.name(),
              () -> exec(request, pod, timeout)));
    }
    return outputs;
  }

  private ExecOutput exec(ExecRequest request, PodInfo pod, long timeoutSeconds) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var resource = client.pods().inNamespace(request.namespace()).withName(pod.name());
    var target =
        request.container() == null || request.container().isBlank()
            ? resource.inContainer(pod.containers().isEmpty() ? "" : pod.containers().get(0).name())
            : resource.inContainer(request.container());
    try (ExecWatch watch =
        target
            .writingOutput(out)
            .writingError(err)
            .exec(request.command().toArray(String[]::new))) {
      // fabric8 completes the future with null when the socket closed before a status arrived,
      // and with -1 for a status naming no exit code: neither is success.
      Integer code = watch.exitCode().get(timeoutSeconds, TimeUnit.SECONDS);
      int exit = code == null || code < 0 ? ExecOutput.NO_EXIT_STATUS : code;
      ExecOutput output = new ExecOutput(pod.name(), exit, capped(out), capped(err));
      if (!output.succeeded()) {
        log.warn("exec in {}: {}", request.namespace(), output.outcome());
      }
      return output;
    } catch (TimeoutException e) {
      throw FailureTypes.retryable(
          "command did not finish within " + timeoutSeconds + "s in pod " + pod.name(),
          "ExecTimeout",
          null);
    }
  }

  @Override
  public ServicePatchResult patchServiceSelector(ServicePatch patch) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", patch.namespace());
          KubernetesNames.service("service", patch.service());
        });
    allowList.requireAllowed(patch.namespace(), "repointing Service " + patch.service());
    if (patch.selector() == null || patch.selector().isEmpty()) {
      throw FailureTypes.invalidInput(
          "selector must not be empty (a Service without one selects nothing)");
    }
    checkNames(
        () ->
            patch
                .selector()
                .forEach(
                    (key, value) -> {
                      if (!KubernetesNames.isLabelKey(key)) {
                        throw new InvalidNameException(
                            "selector key",
                            key,
                            "must be a label key (e.g. app.kubernetes.io/name)");
                      }
                      if (!KubernetesNames.isLabelValue(value)) {
                        throw new InvalidNameException(
                            "selector[" + key + "]",
                            value,
                            "must be a label value: empty or 1-63 letters, digits, '-', '_' or"
                                + " '.', starting and ending with a letter or digit");
                      }
                    }));
    return write(
        "patch Service " + patch.namespace() + "/" + patch.service(),
        () -> {
          var service = client.services().inNamespace(patch.namespace()).withName(patch.service());
          Service current = service.get();
          if (current == null) {
            throw FailureTypes.notFound(
                "Service " + patch.namespace() + "/" + patch.service() + " does not exist");
          }
          Map<String, String> previous =
              current.getSpec().getSelector() == null
                  ? Map.of()
                  : Map.copyOf(current.getSpec().getSelector());
          if (previous.equals(patch.selector())) {
            return new ServicePatchResult(previous, previous, false);
          }
          Service changed = client.getKubernetesSerialization().clone(current);
          changed.getSpec().setSelector(new LinkedHashMap<>(patch.selector()));
          client.services().inNamespace(patch.namespace()).resource(current).patch(WRITE, changed);
          log.info(
              "Service {}/{} selector {} -> {} (action {})",
              patch.namespace(),
              patch.service(),
              previous,
              patch.selector(),
              patch.actionId());
          return new ServicePatchResult(previous, Map.copyOf(patch.selector()), true);
        });
  }

  @Override
  public DeploymentInfo waitForRollout(String namespace, String name, long timeoutSeconds) {
    checkNames(
        () -> {
          KubernetesNames.namespace("namespace", namespace);
          KubernetesNames.deployment("name", name);
        });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, timeoutSeconds));
    long pause = ROLLOUT_FIRST_POLL.toMillis();
    while (true) {
      DeploymentInfo info = getDeployment(namespace, name);
      if (info.rolloutComplete()) {
        return info;
      }
      heartbeat(
          info.updatedReplicas()
              + "/"
              + info.replicas()
              + " updated, "
              + info.availableReplicas()
              + " available");
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw FailureTypes.retryable(
            "rollout of "
                + namespace
                + "/"
                + name
                + " not complete after "
                + timeoutSeconds
                + "s ("
                + info.updatedReplicas()
                + "/"
                + info.replicas()
                + " updated, "
                + info.availableReplicas()
                + " available)",
            "RolloutTimeout",
            null);
      }
      try {
        // Never past the deadline: the last read comes at it, not up to one pause after it.
        Thread.sleep(Math.min(pause, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw FailureTypes.retryable("interrupted while waiting for the rollout", "Interrupted", e);
      }
      pause = Math.min(pause * 2, ROLLOUT_MAX_POLL.toMillis());
    }
  }

  @Override
  public void close() {
    writes.shutdownNow();
    reads.shutdownNow();
    client.close();
  }

  // ---- helpers ----

  private RollableScalableResource<Deployment> deployment(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name);
  }

  /**
   * Writes {@code change} applied to a copy of {@code current} as a JSON patch against {@code
   * current} (the object as read), with {@value #FIELD_MANAGER} as field manager.
   */
  private void patch(Deployment current, Consumer<Deployment> change) {
    Deployment changed = client.getKubernetesSerialization().clone(current);
    change.accept(changed);
    client
        .apps()
        .deployments()
        .inNamespace(current.getMetadata().getNamespace())
        .resource(current)
        .patch(WRITE, changed);
  }

  /**
   * Runs name checks; a refusal becomes {@code InvalidName} before any request is made. Public for
   * the other activities that address cluster objects (the rollout's HTTPRoute router).
   */
  public static void checkNames(Runnable checks) {
    try {
      checks.run();
    } catch (InvalidNameException e) {
      throw FailureTypes.invalidName(e);
    }
  }

  private static <T> T checkedName(java.util.function.Supplier<T> checks) {
    try {
      return checks.get();
    } catch (InvalidNameException e) {
      throw FailureTypes.invalidName(e);
    }
  }

  private Deployment existing(String namespace, String name) {
    Deployment d = deployment(namespace, name).get();
    if (d == null) {
      throw FailureTypes.notFound("Deployment " + namespace + "/" + name + " does not exist");
    }
    return d;
  }

  private static int replicasOf(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static Map<String, String> annotations(Deployment d) {
    return d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
  }

  private static int parseOr(String text, int fallback) {
    try {
      return text == null ? fallback : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback; // edited by hand: the current count is the best we know
    }
  }

  private static Map<String, String> templateAnnotations(Deployment d) {
    var meta = d.getSpec().getTemplate().getMetadata();
    return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  private static Container container(Deployment d, String name) {
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    if (name == null || name.isBlank()) {
      return containers.get(0);
    }
    return containers.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                FailureTypes.notFound(
                    "container '" + name + "' not in Deployment " + d.getMetadata().getName()));
  }

  private static Quantity quantity(String field, String text) {
    try {
      Quantity q = new Quantity(text);
      Quantity.getAmountInBytes(q);
      return q;
    } catch (RuntimeException e) {
      throw FailureTypes.invalidInput(field + ": '" + text + "' is not a Kubernetes quantity");
    }
  }

  private static String resource(ResourceRequirements r, boolean request, String name) {
    if (r == null) {
      return "";
    }
    Map<String, Quantity> map = request ? r.getRequests() : r.getLimits();
    return map == null || map.get(name) == null ? "" : map.get(name).toString();
  }

  /** A Deployment as the procedures see it (spec replicas, status counts, containers). */
  public static DeploymentInfo info(Deployment d) {
    var status = d.getStatus();
    int replicas = replicasOf(d);
    int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
    int available =
        status == null || status.getAvailableReplicas() == null ? 0 : status.getAvailableReplicas();
    int updated =
        status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed =
        status == null || status.getObservedGeneration() == null
            ? 0
            : status.getObservedGeneration();
    List<ContainerSpec> containers =
        d.getSpec().getTemplate().getSpec().getContainers().stream()
            .map(
                c ->
                    new ContainerSpec(
                        c.getName(),
                        c.getImage(),
                        resource(c.getResources(), true, "memory"),
                        resource(c.getResources(), false, "memory"),
                        resource(c.getResources(), true, "cpu"),
                        resource(c.getResources(), false, "cpu")))
            .toList();
    boolean complete = observed >= generation && updated >= replicas && available >= replicas;
    return new DeploymentInfo(
        d.getMetadata().getNamespace(),
        d.getMetadata().getName(),
        replicas,
        ready,
        available,
        updated,
        generation,
        observed,
        containers,
        complete);
  }

  static PodInfo pod(Pod p) {
    Map<String, String> labels =
        p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
    List<ContainerState> containers = new ArrayList<>();
    if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus s : p.getStatus().getContainerStatuses()) {
        String state = "unknown";
        String reason = "";
        if (s.getState() != null) {
          if (s.getState().getRunning() != null) {
            state = "running";
          } else if (s.getState().getWaiting() != null) {
            state = "waiting";
            reason = Objects.toString(s.getState().getWaiting().getReason(), "");
          } else if (s.getState().getTerminated() != null) {
            state = "terminated";
            reason = Objects.toString(s.getState().getTerminated().getReason(), "");
          }
        }
        String lastReason = "";
        int lastExit = 0;
        if (s.getLastState() != null && s.getLastState().getTerminated() != null) {
          lastReason = Objects.toString(s.getLastState().getTerminated().getReason(), "");
          lastExit =
              s.getLastState().getTerminated().getExitCode() == null
                  ? 0
                  : s.getLastState().getTerminated().getExitCode();
        }
        containers.add(
            new ContainerState(
                s.getName(),
                Boolean.TRUE.equals(s.getReady()),
                s.getRestartCount() == null ? 0 : s.getRestartCount(),
                state,
                reason,
                lastReason,
                lastExit));
      }
    }
    return new PodInfo(
        p.getMetadata().getName(),
        p.getStatus() == null ? "" : Objects.toString(p.getStatus().getPhase(), ""),
        p.getSpec() == null ? "" : Objects.toString(p.getSpec().getNodeName(), ""),
        owningDeployment(p),
        Map.copyOf(labels),
        List.copyOf(containers));
  }

  /** Deployment -> ReplicaSet "<deployment>-<pod-template-hash>" -> Pod. */
  static String owningDeployment(Pod p) {
    String hash =
        p.getMetadata().getLabels() == null
            ? null
            : p.getMetadata().getLabels().get("pod-template-hash");
    if (p.getMetadata().getOwnerReferences() != null) {
      for (OwnerReference owner : p.getMetadata().getOwnerReferences()) {
        if ("ReplicaSet".equals(owner.getKind())
            && hash != null
            && owner.getName().endsWith("-" + hash)) {
          return owner.getName().substring(0, owner.getName().length() - hash.length() - 1);
        }
      }
    }
    return "";
  }

  private static String capped(ByteArrayOutputStream bytes) {
    byte[] b = bytes.toByteArray();
    int n = Math.min(b.length, MAX_OUTPUT);
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  /** Heartbeats {@code progress} when called inside an activity; does nothing elsewhere. */
  public static void heartbeat(String progress) {
    try {
      Activity.getExecutionContext().heartbeat(progress);
    } catch (IllegalStateException notInActivity) {
      // Called outside an activity (tests, tools): there is nobody to heartbeat to.
    }
  }

  /** One call to the API server, as {@link #call} runs it. */
  public interface Call<T> {
    T run() throws Exception;
  }

  /**
   * What went wrong on the way to the API server: the first cause under the client's exception that
   * says something (a bare IOException wraps the ConnectException that names the refusal).
   */
  static String transportError(KubernetesClientException e) {
    Throwable described = null;
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
      if (described == null && t.getClass() != java.io.IOException.class) {
        described = t;
      }
    }
    return described == null ? "no cause given" : described.getClass().getSimpleName();
  }

  /**
   * A write, run on {@link #writes} while this activity's thread heartbeats every second, so that
   * with {@link KubernetesOptions#MUTATING_K8S}'s heartbeat timeout a worker that died mid-write
   * has its attempt retried within seconds, not after the start-to-close timeout, while a slow but
   * live write (a cold worker, a slow API server) keeps its attempt.
   */
  private <T> T write(String what, Call<T> call) {
    heartbeat(what);
    Future<T> running = writes.submit(() -> call(what, rereadOnConflict(what, call)));
    try {
      while (true) {
        try {
          return running.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWriting) {
          heartbeat(what);
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure; // already typed by call()
      }
      throw FailureTypes.retryable(what + ": " + e.getCause(), "KubernetesUnavailable", e);
    } catch (InterruptedException e) {
      running.cancel(true);
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(what + ": interrupted", "Interrupted", e);
    }
  }

  /** How often one attempt of a write re-reads and applies again after a 409 Conflict. */
  static final int CONFLICT_ATTEMPTS = 5;

  /**
   * {@code write} run again, from its read, when the API server answers 409 Conflict: another
   * writer (the Deployment controller's status update, an HPA) changed the object between our read
   * and our patch. Every write reads, compares and then patches, so running it again is safe; as
   * client-go's RetryOnConflict, this keeps a routine race from costing a whole activity retry.
   */
  static <T> Call<T> rereadOnConflict(String what, Call<T> write) {
    return () -> {
      for (int attempt = 1; ; attempt++) {
        try {
          return write.run();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
            throw e;
          }
          log.info("{}: conflict with another writer, reading again ({})", what, attempt);
          Thread.sleep(10L * attempt);
        }
      }
    };
  }

  /**
   * Maps the API server's answers to failure types; everything else is retried. Public so that
   * every activity touching the cluster classifies its failures alike ({@code what} names the call
   * in the message).
   */
  public static <T> T call(String what, Call<T> call) {
    try {
      return call.run();
    } catch (ApplicationFailure e) {
      throw e;
    } catch (KubernetesClientException e) {
      if (e.getCode() <= 0) {
        // No HTTP answer at all: fabric8's message ("Operation: [get] ... failed.") does not say
        // that the API server could not be reached, nor why.
        throw FailureTypes.retryable(
            what + ": the Kubernetes API server did not answer (" + transportError(e) + ")",
            "KubernetesUnavailable",
            e);
      }
      String message = what + ": HTTP " + e.getCode() + " " + e.getMessage();
      switch (e.getCode()) {
        case 401, 403 -> throw FailureTypes.permissionDenied(message);
        case 404 -> throw FailureTypes.notFound(message);
        case 400, 422 -> throw FailureTypes.invalidInput(message);
        default -> throw FailureTypes.retryable(message, "KubernetesUnavailable", e);
      }
    } catch (ExecutionException e) {
      throw FailureTypes.retryable(
          what + ": " + e.getCause(), "KubernetesUnavailable", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(what + ": interrupted", "Interrupted", e);
    } catch (Exception e) {
      throw FailureTypes.retryable(what + ": " + e, "KubernetesUnavailable", e);
    }
  }
}
