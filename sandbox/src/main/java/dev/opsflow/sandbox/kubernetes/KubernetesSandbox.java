package dev.opsflow.sandbox.kubernetes;

import dev.opsflow.sandbox.DaemonThreads;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A Kubernetes API to heal, in-process: fabric8's mock API server in CRUD mode (objects are stored
 * and served like a real API server's; expectations can be added for exec), on 127.0.0.1, plus a
 * small stand-in for the Deployment and ReplicaSet controllers ({@link SandboxController}) so that
 * scaling, memory changes and restarts roll out as they would on a cluster.
 */
public final class KubernetesSandbox implements AutoCloseable {
  /** The demo Deployments {@link #seedDemo} creates. */
  public static final String CONSUMER = "orders-consumer";

  /** The bearer token of the kubeconfig opsflow is given, to tell its requests apart. */
  public static final String OPSFLOW_TOKEN = "sandbox";

  public static final String OOM = "checkout";
  public static final String CRASH_LOOP = "payments";

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(KubernetesSandbox.class);

  /** Held so the JUL logger (and its level) is not garbage-collected. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ScheduledExecutorService controllerLoop;
  private final ExecutorService syncs;
  private final SandboxController controller;
  private final Watch deploymentWatch;
  private final Observed dispatcher;

  /** How often the controller looks at every Deployment and Service, besides the watch. */
  static final Duration FULL_PASS = Duration.ofMillis(200);

  /**
   * Deployments reconciled at once from their watch events, as kube-controller-manager's {@code
   * --concurrent-deployment-syncs} (default 5); one Deployment is never reconciled by two at once.
   */
  static final int CONCURRENT_SYNCS = 5;

  private KubernetesSandbox(KubernetesMockServer server, Observed dispatcher, Duration fullPass) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = server.createClient();
    this.controller = new SandboxController(client);
    this.controllerLoop =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sandbox-kubernetes-controller"));
    this.syncs =
        Executors.newFixedThreadPool(
            CONCURRENT_SYNCS, DaemonThreads.named("sandbox-deployment-sync"));
    // As the real Deployment controller, it reacts to a Deployment as it changes (one watch on
    // every namespace), with up to CONCURRENT_SYNCS Deployments at once, so a rollout is done in
    // tens of milliseconds instead of at the next pass, and a burst of restarts does not roll out
    // one after another. The full pass stays: pods deleted, Endpoints, a dropped watch.
    this.deploymentWatch =
        client.apps().deployments().inAnyNamespace().watch(new ReconcileOnChange());
    controllerLoop.scheduleWithFixedDelay(
        controller::reconcileQuietly,
        fullPass.toMillis(),
        fullPass.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Queues one reconcile of each Deployment that was added or changed, of the object its latest
   * event carried (no read back), as a controller's work queue does: a Deployment already queued or
   * being reconciled is not queued again, its newer state replaces the waiting one (the
   * controller's own status write changes it too) and is reconciled when the one in hand is done. A
   * key is in {@code queued} from its event until no newer state is left, so one Deployment is only
   * ever in one sync's hands.
   */
  private final class ReconcileOnChange implements Watcher<Deployment> {
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Map<String, Deployment> latest = new ConcurrentHashMap<>();

    @Override
    public void eventReceived(Action action, Deployment d) {
      if (action != Action.ADDED && action != Action.MODIFIED) {
        return;
      }
      String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
      latest.put(key, d);
      if (queued.add(key)) {
        submit(key);
      }
    }

    private void submit(String key) {
      try {
        syncs.execute(() -> sync(key));
      } catch (RejectedExecutionException closing) {
        queued.remove(key);
      }
    }

    private void sync(String key) {
      do {
        Deployment newest = latest.remove(key);
        if (newest != null) {
          controller.reconcileQuietly(newest);
        }
        queued.remove(key);
        // An event that came while this one was reconciled found the key queued and left its
        // state here: take it on, unless that event queued it anew itself.
      } while (latest.containsKey(key) && queued.add(key));
    }

    @Override
    public void onClose(WatcherException cause) {
      // The full pass carries on alone.
      log.debug("sandbox Deployment watch closed: {}", String.valueOf(cause));
    }
  }

  public static KubernetesSandbox start() {
    return start(FULL_PASS);
  }

  /** A sandbox whose controller's full pass comes every {@code fullPass} (tests of the watch). */
  static KubernetesSandbox start(Duration fullPass) {
    // The mock server logs every request at INFO through java.util.logging.
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    Observed dispatcher = new Observed(expectations);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), expectations, dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new KubernetesSandbox(server, dispatcher, fullPass);
  }

  /**
   * Tells {@code listener} of every request the API server receives, before it is answered (tests
   * that count what opsflow did to which namespace). Called on the server's threads: keep it short.
   */
  public void onRequest(Consumer<ApiRequest> listener) {
    dispatcher.listeners.add(listener);
  }

  /**
   * Applies the first request matching {@code which} (the object is stored as usual) but holds its
   * answer back for {@code delay}, and tells {@code held} at once: a point where the change is on
   * the cluster and the caller has not heard so, deterministic for a test that kills the caller
   * there. Later matching requests are answered normally.
   */
  public void holdFirstAnswer(
      Predicate<ApiRequest> which, Duration delay, Consumer<ApiRequest> held) {
    dispatcher.holds.add(new Hold(which, delay, held, new AtomicBoolean()));
  }

  private record Hold(
      Predicate<ApiRequest> which, Duration delay, Consumer<ApiRequest> held, AtomicBoolean used) {}

  /** The CRUD-and-expectations dispatcher, with listeners and held answers. */
  private static final class Observed extends KubernetesMixedDispatcher {
    final List<Consumer<ApiRequest>> listeners = new CopyOnWriteArrayList<>();
    final List<Hold> holds = new CopyOnWriteArrayList<>();

    Observed(Map<ServerRequest, Queue<ServerResponse>> expectations) {
      super(expectations);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if (listeners.isEmpty() && holds.isEmpty()) {
        return super.dispatch(request);
      }
      ApiRequest seen = ApiRequest.of(request);
      listeners.forEach(l -> l.accept(seen));
      MockResponse response = super.dispatch(request);
      for (Hold hold : holds) {
        if (hold.which().test(seen) && hold.used().compareAndSet(false, true)) {
          // A body delay, not a blocked thread: the server's event loop keeps serving the rest.
          response.setBodyDelay(hold.delay());
          hold.held().accept(seen);
        }
      }
      return response;
    }
  }

  /** A client of the sandbox API (the tests' and the seeding's; opsflow gets a kubeconfig). */
  public KubernetesClient client() {
    return client;
  }

  /** The mock server, for exec expectations in tests. */
  public KubernetesMockServer server() {
    return server;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A kubeconfig pointing at the sandbox, so opsflow is configured by file alone. */
  public Path writeKubeconfig(Path dir) throws IOException {
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: opsflow-sandbox
          cluster:
            server: %s
        users:
        - name: opsflow
          user:
            token: %s
        contexts:
        - name: opsflow-sandbox
          context:
            cluster: opsflow-sandbox
            user: opsflow
            namespace: default
        current-context: opsflow-sandbox
        """
            .formatted(url(), OPSFLOW_TOKEN);
    Path file = dir.resolve("kubeconfig-sandbox.yaml");
    Files.writeString(file, kubeconfig);
    return file;
  }

  /**
   * Two running, ready database pods behind the demo's Service {@code db} (which selects {@code
   * app=db, role=primary}): {@code primaryPod} labelled {@code role=primary}, {@code replicaPod}
   * {@code role=replica}. A failover moves the labels; the controller moves the endpoints.
   */
  public void seedDatabasePods(String namespace, String primaryPod, String replicaPod) {
    databasePod(namespace, primaryPod, "primary");
    databasePod(namespace, replicaPod, "replica");
    controller.reconcile();
  }

  private void databasePod(String namespace, String name, String role) {
    client
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Map.of("app", "db", "role", role))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("postgres")
                .withImage("postgres:14")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withContainerStatuses(
                    new ContainerStatusBuilder().withName("postgres").withReady(true).build())
                .endStatus()
                .build())
        .create();
  }

  /**
   * The demo namespace: {@value #CONSUMER} (1 replica, a Kafka consumer), {@value #OOM} (a pod
   * whose container was OOMKilled, limit 1Gi / request 512Mi, 3 restarts) and {@value #CRASH_LOOP}
   * (a pod in CrashLoopBackOff, 12 restarts), plus a Service {@code db}.
   */
  public void seedDemo(String namespace) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    createDeployment(namespace, CONSUMER, 1, "256Mi", "512Mi");
    createDeployment(namespace, OOM, 1, "512Mi", "1Gi");
    createDeployment(namespace, CRASH_LOOP, 1, "256Mi", "512Mi");
    controller.reconcile();
    setContainerStatus(
        namespace,
        OOM,
        new ContainerStatusBuilder()
            .withName("app")
            .withReady(true)
            .withRestartCount(3)
            .withNewState()
            .withNewRunning()
            .withStartedAt("2026-01-01T00:00:00Z")
            .endRunning()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withReason("OOMKilled")
            .withExitCode(137)
            .endTerminated()
            .endLastState()
            .build());
    setContainerStatus(
        namespace,
        CRASH_LOOP,
        new ContainerStatusBuilder()
            .withName("app")
            .withReady(false)
            .withRestartCount(12)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 5m0s restarting failed container")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withReason("Error")
            .withExitCode(1)
            .endTerminated()
            .endLastState()
            .build());
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "db", "role", "primary"))
                .addNewPort()
                .withPort(5432)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  /**
   * An application with real traffic to roll out: a Deployment {@code name} of {@code replicas}
   * running {@code image}, behind a Service of the same name (selector {@code app=<name>}, port
   * 80), unless that Deployment exists already. A canary Deployment whose pods carry {@code
   * app=<name>} is then behind the same Service. Returns whether it created anything.
   */
  public boolean seedApplication(String namespace, String name, int replicas, String image) {
    if (client.namespaces().withName(namespace).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
    if (client.apps().deployments().inNamespace(namespace).withName(name).get() != null) {
      return false;
    }
    createDeployment(namespace, name, replicas, "128Mi", "256Mi", image);
    if (client.services().inNamespace(namespace).withName(name).get() == null) {
      client
          .services()
          .inNamespace(namespace)
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .endMetadata()
                  .withNewSpec()
                  .withSelector(Map.of("app", name))
                  .addNewPort()
                  .withName("http")
                  .withPort(80)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    controller.reconcile();
    return true;
  }

  /** Creates a Deployment with one container "app" and the given memory request and limit. */
  public Deployment createDeployment(
      String namespace, String name, int replicas, String memoryRequest, String memoryLimit) {
    return createDeployment(
        namespace, name, replicas, memoryRequest, memoryLimit, "registry.example/" + name + ":1.0");
  }

  /** Creates a Deployment with one container "app" running {@code image}. */
  public Deployment createDeployment(
      String namespace,
      String name,
      int replicas,
      String memoryRequest,
      String memoryLimit,
      String image) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(Map.of("app", name))
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", name))
            .endMetadata()
            .withNewSpec()
            .withContainers(
                new ContainerBuilder()
                    .withName("app")
                    .withImage(image)
                    .withNewResources()
                    .withRequests(
                        Map.of("memory", new Quantity(memoryRequest), "cpu", new Quantity("100m")))
                    .withLimits(Map.of("memory", new Quantity(memoryLimit)))
                    .endResources()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .withStatus(new DeploymentStatusBuilder().withObservedGeneration(1L).build())
            .build();
    return client.apps().deployments().inNamespace(namespace).resource(d).create();
  }

  /** Sets the status of every current pod of a Deployment's only container (a problem to fix). */
  public void setContainerStatus(String namespace, String deployment, ContainerStatus status) {
    for (Pod pod :
        client.pods().inNamespace(namespace).withLabel("app", deployment).list().getItems()) {
      Pod updated =
          new PodBuilder(pod)
              .editStatus()
              .withContainerStatuses(List.of(status))
              .endStatus()
              .build();
      client.pods().inNamespace(namespace).resource(updated).update();
    }
  }

  /** The hash the controller stamps on pods (pod-template-hash), from the pod template. */
  static String templateHash(PodTemplateSpec template) {
    return Integer.toHexString(Serialization.asJson(template).hashCode());
  }

  /**
   * Runs {@code action} whenever a Deployment of that name finishes a rollout (its pods match the
   * spec), with the replica count, before its status reports complete. The sandbox uses it to play
   * the applications: consumers that catch up once scaled.
   */
  public void onRollout(
      String namespace, String deployment, java.util.function.IntConsumer action) {
    controller.addListener(
        (d, replicas) -> {
          if (d.getMetadata().getNamespace().equals(namespace)
              && d.getMetadata().getName().equals(deployment)) {
            action.accept(replicas);
          }
        });
  }

  /** Runs the controller once, now (tests use it to avoid waiting for the loop). */
  public void reconcile() {
    controller.reconcile();
  }

  @Override
  public void close() {
    deploymentWatch.close();
    controllerLoop.shutdownNow();
    syncs.shutdownNow();
    client.close();
    server.destroy();
  }
}
