package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ServiceRoutingActivities} with the fabric8 client. */
public final class ServiceRoutingActivitiesImpl implements ServiceRoutingActivities, AutoCloseable {
  /** Non-retryable: the Service's endpoints did not come to name only the wanted pod in time. */
  public static final String ENDPOINTS_NOT_CONVERGED = "EndpointsNotConverged";

  /** The role label's value on the pod that takes writes. */
  public static final String PRIMARY = "primary";

  /** The role label's value on the other pods. */
  public static final String REPLICA = "replica";

  /** Longest {@link EndpointsRequest#timeoutSeconds()} accepted. */
  public static final long MAX_TIMEOUT_SECONDS = 600;

  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final Logger log = LoggerFactory.getLogger(ServiceRoutingActivitiesImpl.class);

  private final KubernetesClient client;
  private final NamespaceAllowList allowList;
  private final Consumer<Object> heartbeat;

  /**
   * @param allowList the namespaces opsflow may change ({@code kubernetes.allowedNamespaces})
   * @param heartbeat where {@link #awaitEndpoints} reports progress; in a worker, the activity's
   *     heartbeat
   */
  public ServiceRoutingActivitiesImpl(
      KubernetesClient client, NamespaceAllowList allowList, Consumer<Object> heartbeat) {
    this.client = client;
    this.allowList = allowList;
    this.heartbeat = heartbeat;
  }

  /**
   * A client of its own for the configured cluster ({@link KubernetesActivitiesImpl#clusterConfig},
   * with Temporal's retries as the only retry loop), closed with this; heartbeats go to the running
   * activity.
   */
  public static ServiceRoutingActivitiesImpl fromConfig(dev.opsflow.config.OpsflowConfig config) {
    return new ServiceRoutingActivitiesImpl(
        KubernetesActivitiesImpl.client(config),
        new NamespaceAllowList(config.kubernetes().allowedNamespaces()),
        details -> io.temporal.activity.Activity.getExecutionContext().heartbeat(details));
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public RoleLabels setRoleLabels(RoleLabelRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("setRoleLabels needs a request");
    }
    if (request.actionId() == null || request.actionId().isBlank()) {
      throw FailureTypes.invalidInput("actionId is required");
    }
    List<String> replicas = request.replicaPods() == null ? List.of() : request.replicaPods();
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          if (!KubernetesNames.isLabelKey(request.labelKey())) {
            throw new InvalidNameException(
                "labelKey", request.labelKey(), "must be a label key (e.g. opsflow.dev/role)");
          }
          KubernetesNames.pod("primaryPod", request.primaryPod());
          for (int i = 0; i < replicas.size(); i++) {
            KubernetesNames.pod("replicaPods[" + i + "]", replicas.get(i));
          }
        });
    if (replicas.contains(request.primaryPod())) {
      throw FailureTypes.invalidInput(
          "primaryPod " + request.primaryPod() + " is also listed in replicaPods");
    }
    allowList.requireAllowed(request.namespace(), "moving role labels");
    // Replicas first: a Service selecting the primary label then never reaches two primaries.
    Map<String, String> wanted = new LinkedHashMap<>();
    replicas.forEach(pod -> wanted.put(pod, REPLICA));
    wanted.put(request.primaryPod(), PRIMARY);
    String ns = request.namespace();
    String key = request.labelKey();
    return KubernetesActivitiesImpl.call(
        "move role labels in " + ns,
        () -> {
          Map<String, Pod> pods = new LinkedHashMap<>();
          for (String name : wanted.keySet()) {
            Pod pod = client.pods().inNamespace(ns).withName(name).get();
            if (pod == null) {
              throw FailureTypes.notFound("pod " + ns + "/" + name + " does not exist");
            }
            pods.put(name, pod);
          }
          List<String> changed = new ArrayList<>();
          for (Map.Entry<String, String> role : wanted.entrySet()) {
            Pod pod = pods.get(role.getKey());
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels != null && role.getValue().equals(labels.get(key))) {
              continue;
            }
            client
                .pods()
                .inNamespace(ns)
                .withName(role.getKey())
                .edit(
                    p ->
                        new PodBuilder(p)
                            .editMetadata()
                            .addToLabels(key, role.getValue())
                            .endMetadata()
                            .build());
            changed.add(role.getKey());
          }
          log.info(
              "action {}: role labels {} in {} set to {}, changed {}",
              request.actionId(),
              key,
              ns,
              wanted,
              changed);
          return new RoleLabels(request.actionId(), Map.copyOf(wanted), List.copyOf(changed));
        });
  }

  @Override
  public ServiceEndpoints awaitEndpoints(EndpointsRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("awaitEndpoints needs a request");
    }
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("namespace", request.namespace());
          KubernetesNames.service("service", request.service());
          KubernetesNames.pod("pod", request.pod());
        });
    if (request.timeoutSeconds() < 1 || request.timeoutSeconds() > MAX_TIMEOUT_SECONDS) {
      throw FailureTypes.invalidInput(
          "timeoutSeconds must be 1-" + MAX_TIMEOUT_SECONDS + ": " + request.timeoutSeconds());
    }
    String what = "endpoints of Service " + request.namespace() + "/" + request.service();
    long deadline = System.nanoTime() + Duration.ofSeconds(request.timeoutSeconds()).toNanos();
    while (true) {
      ServiceEndpoints seen = KubernetesActivitiesImpl.call("read " + what, () -> read(request));
      if (seen.readyPods().equals(List.of(request.pod()))) {
        return seen;
      }
      if (System.nanoTime() > deadline) {
        throw ApplicationFailure.newNonRetryableFailure(
            what
                + " still name "
                + seen.readyPods()
                + " as ready (not ready: "
                + seen.notReadyPods()
                + ") after "
                + request.timeoutSeconds()
                + " s; wanted only "
                + request.pod(),
            ENDPOINTS_NOT_CONVERGED,
            seen);
      }
      heartbeat.accept(seen);
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw FailureTypes.retryable("interrupted while waiting for " + what, "Interrupted", e);
      }
    }
  }

  private ServiceEndpoints read(EndpointsRequest request) {
    Endpoints endpoints =
        client.endpoints().inNamespace(request.namespace()).withName(request.service()).get();
    TreeSet<String> ready = new TreeSet<>();
    TreeSet<String> notReady = new TreeSet<>();
    if (endpoints != null && endpoints.getSubsets() != null) {
      for (EndpointSubset subset : endpoints.getSubsets()) {
        addPods(subset.getAddresses(), ready);
        addPods(subset.getNotReadyAddresses(), notReady);
      }
    }
    return new ServiceEndpoints(
        request.namespace(), request.service(), List.copyOf(ready), List.copyOf(notReady));
  }

  /** The pod each address points to; an address without a pod (an external IP) shows its IP. */
  private static void addPods(List<EndpointAddress> addresses, TreeSet<String> into) {
    if (addresses == null) {
      return;
    }
    for (EndpointAddress address : addresses) {
      boolean isPod =
          address.getTargetRef() != null && "Pod".equals(address.getTargetRef().getKind());
      into.add(isPod ? address.getTargetRef().getName() : address.getIp());
    }
  }
}
