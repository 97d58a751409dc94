package dev.opsflow.dev;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.ProcedureSettings;
import dev.opsflow.config.Secret;
import dev.opsflow.sandbox.ai.AiService;
import dev.opsflow.sandbox.demo.DemoApp;
import dev.opsflow.sandbox.flags.FlagServer;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.model.ModelServer;
import dev.opsflow.sandbox.postgres.PostgresPair;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import dev.opsflow.sandbox.prometheus.SandboxPrometheus;
import dev.opsflow.worker.ClosingStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Something to heal on a laptop ({@code opsflow dev --sandbox}): a Kubernetes API (fabric8 mock
 * server, CRUD mode) with a demo namespace, a real Kafka broker with a lagging consumer group, and
 * a real PostgreSQL near its connection limit, and applications with real traffic to roll out: the
 * demo app behind Service {@value #WEB} and the model server behind Service {@value #MODEL},
 * scraped by a real Prometheus when one is installed. opsflow's activities reach them through
 * ordinary configuration (a kubeconfig file, bootstrap servers, a JDBC URL, a Prometheus URL),
 * exactly as they would reach a real cluster.
 */
public final class DevSandbox implements AutoCloseable {
  public static final String NAMESPACE = "demo";
  public static final String TOPIC = "orders";
  public static final int PARTITIONS = 6;
  public static final String GROUP = "orders-consumer";
  public static final int PRODUCED = 20_000;

  /**
   * The failover cluster: {@value #PRIMARY_MEMBER} (pod db-0) streams to {@value #REPLICA_MEMBER}.
   */
  public static final String CLUSTER = "demo";

  public static final String PRIMARY_MEMBER = "demo-a";
  public static final String REPLICA_MEMBER = "demo-b";

  /**
   * Idle app sessions opened at start: 180 of max_connections 200 is 90%, above the 85% default.
   */
  public static final int IDLE_SESSIONS = 180;

  /**
   * The demo app's Service and stable Deployment: {@value #WEB_REPLICAS} replicas of {@value
   * #WEB_IMAGE}.
   */
  public static final String WEB = DemoApp.SERVICE;

  public static final String WEB_IMAGE = "registry.example/web:1.0";
  public static final int WEB_REPLICAS = 10;

  /** The model server's Service and stable Deployment, running model {@code v1}. */
  public static final String MODEL = ModelServer.SERVICE;

  public static final String MODEL_IMAGE = "registry.example/model-server:v1";
  public static final int MODEL_REPLICAS = 10;

  /**
   * The Service an ML model deployment's blue-green points at the preview colour before the switch
   * (selecting nothing until then).
   */
  public static final String MODEL_PREVIEW = MODEL + "-preview";

  /**
   * The AI service the prebuilt runbooks heal: its workers are Deployment {@value
   * AiService#WORKERS}, its front end {@value #AI_FRONTEND} (what a traffic spike scales out).
   */
  public static final String AI_SERVICE = "ai";

  public static final String AI_FRONTEND = "ai-frontend";

  /** The flag service's name in {@code featureFlags.services}, and the flag it holds. */
  public static final String FLAG_SERVICE = "flags";

  public static final String FLAG = "new-ranking";

  private final ClosingStack parts = new ClosingStack();
  private final List<Connection> idle = new ArrayList<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final KubernetesSandbox kubernetes;
  private final EmbeddedKafka kafka;
  private final SandboxPostgres postgres;
  private final PostgresPair pair;
  private final DemoApp demo;
  private final ModelServer models;
  private final FlagServer flags;
  private final AiService ai;
  private SandboxPrometheus prometheus;
  private String prometheusAbsence;

  private DevSandbox(Path dir) {
    try {
      kubernetes = parts.push(KubernetesSandbox.start());
      kubernetes.seedDemo(NAMESPACE);
      kafka = parts.push(EmbeddedKafka.start());
      kafka.seedLaggingGroup(TOPIC, PARTITIONS, GROUP, PRODUCED, 0);
      // The consumer application: once scaled out, its consumers work off the backlog.
      kubernetes.onRollout(
          NAMESPACE,
          KubernetesSandbox.CONSUMER,
          replicas -> {
            if (replicas > 1) {
              kafka.commitOffsets(GROUP, TOPIC, EmbeddedKafka.spread(PRODUCED, PARTITIONS));
            }
          });
      postgres = parts.push(SandboxPostgres.start());
      idle.addAll(postgres.openIdleConnections(IDLE_SESSIONS, "sandbox-app"));
      parts.push(this::closeIdle);
      // A primary and its streaming replica behind the Service db, for `opsflow failover demo`.
      pair = parts.push(PostgresPair.start());
      kubernetes.seedDatabasePods(NAMESPACE, "db-0", "db-1");
      // Applications with users, to roll a canary of (or an ML model) out to.
      kubernetes.seedApplication(NAMESPACE, WEB, WEB_REPLICAS, WEB_IMAGE);
      kubernetes.seedApplication(NAMESPACE, MODEL, MODEL_REPLICAS, MODEL_IMAGE);
      seedPreviewService(MODEL_PREVIEW);
      demo =
          parts.push(
              DemoApp.start(
                  kubernetes.client(), NAMESPACE, WEB, DemoApp.DEFAULT_REQUESTS_PER_SECOND));
      models =
          parts.push(
              ModelServer.start(
                  kubernetes.client(), NAMESPACE, MODEL, ModelServer.DEFAULT_REQUESTS_PER_SECOND));
      // The AI service and the flag service of the prebuilt runbooks (runbooks/, README).
      kubernetes.seedApplication(
          NAMESPACE, AiService.WORKERS, 3, "registry.example/ai-workers:1.0");
      kubernetes.seedApplication(NAMESPACE, AI_FRONTEND, 2, "registry.example/ai-frontend:1.0");
      String flagToken = java.util.UUID.randomUUID().toString();
      flags = parts.push(FlagServer.start(flagToken).define(FLAG, 0));
      ai =
          parts.push(
              AiService.start(AI_SERVICE)
                  .bindWorkers(kubernetes.client(), NAMESPACE, AiService.WORKERS)
                  .traffic(40, 2, 0)
                  .feature(FLAG, flags.reader(FLAG), 0.002));
      startPrometheus();
      settings.put("FEATURE_FLAG_SERVICES", FLAG_SERVICE + "=" + flags.url());
      settings.put("FEATURE_FLAG_TOKENS", FLAG_SERVICE + ":" + flagToken);
      settings.put("KUBECONFIG", kubernetes.writeKubeconfig(dir).toString());
      settings.put("KUBERNETES_ALLOWED_NAMESPACES", NAMESPACE);
      settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      settings.put("POSTGRES_URL", postgres.jdbcUrl());
      settings.put("POSTGRES_USER", postgres.user());
      settings.put("POSTGRES_PASSWORD", postgres.password());
      // MlModelDeployment's validate_model asks the model server's evaluation endpoint.
      settings.put("ROLLOUT_MODEL_SERVER_URL", models.url());
      if (prometheus != null) {
        settings.put("PROMETHEUS_URL", prometheus.url());
      }
      // The sandbox's sessions are minutes old, not the production default of ten.
      settings.put("IDLE_SESSION_AGE", "20s");
    } catch (IOException e) {
      parts.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /**
   * Debian's Prometheus scraping the demo app and the model server, when it is installed; when it
   * is not (or will not start) the sandbox runs without it and says so, since every canary analysis
   * is then inconclusive.
   */
  private void startPrometheus() {
    Optional<java.nio.file.Path> binary = SandboxPrometheus.installed();
    if (binary.isEmpty()) {
      prometheusAbsence = "not installed at " + SandboxPrometheus.DEFAULT_BINARY;
      return;
    }
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("demo-app", demo.scrapeTarget());
    targets.put("model-server", models.scrapeTarget());
    targets.put("ai-service", ai.scrapeTarget());
    try {
      prometheus = parts.push(SandboxPrometheus.start(binary.get(), targets));
    } catch (RuntimeException e) {
      prometheusAbsence = "did not start: " + e.getMessage();
    }
  }

  /** A Service selecting nothing yet: a blue-green release points it at its preview's pods. */
  private void seedPreviewService(String name) {
    if (kubernetes.client().services().inNamespace(NAMESPACE).withName(name).get() != null) {
      return;
    }
    kubernetes
        .client()
        .services()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("opsflow.dev/preview", "none"))
                .addNewPort()
                .withName("http")
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  public static DevSandbox start() {
    try {
      return new DevSandbox(Files.createTempDirectory("opsflow-sandbox"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Environment-style settings that point opsflow at the sandbox. */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * {@code config} with the sandbox's failover cluster {@value #CLUSTER} (Service {@code db}, pods
   * {@code db-0}/{@code db-1}) and, unless the configuration names its own, an approval of {@code
   * PostgresFailover} by {@code approver} (on a laptop the requester approves: no four-eyes).
   */
  public OpsflowConfig withFailoverCluster(OpsflowConfig config, String approver) {
    return withFailoverCluster(config, approver, CLUSTER, NAMESPACE, pair, "db-0", "db-1");
  }

  /**
   * {@code config} with failover cluster {@code cluster}: {@code pair}'s primary as {@value
   * #PRIMARY_MEMBER} on pod {@code primaryPod}, its replica as {@value #REPLICA_MEMBER} on {@code
   * replicaPod}, behind Service {@code db} in {@code namespace} (role label {@code role}); and,
   * unless the configuration names its own, an approval of {@code PostgresFailover} by {@code
   * approver}.
   */
  public static OpsflowConfig withFailoverCluster(
      OpsflowConfig config,
      String approver,
      String cluster,
      String namespace,
      PostgresPair pair,
      String primaryPod,
      String replicaPod) {
    Map<String, OpsflowConfig.FailoverCluster> clusters =
        new LinkedHashMap<>(config.failover().clusters());
    clusters.put(
        cluster,
        new OpsflowConfig.FailoverCluster(
            namespace,
            "db",
            "role",
            Map.of(
                PRIMARY_MEMBER,
                new OpsflowConfig.FailoverMember(
                    pair.primaryUrl(), pair.user(), Secret.empty(), primaryPod),
                REPLICA_MEMBER,
                new OpsflowConfig.FailoverMember(
                    pair.replicaUrl(), pair.user(), Secret.empty(), replicaPod))));
    OpsflowConfig.Failover f = config.failover();
    Map<String, ProcedureSettings> procedures = new LinkedHashMap<>(config.procedures());
    procedures.putIfAbsent(
        "PostgresFailover",
        new ProcedureSettings(
            new ProcedureSettings.Approval(List.of(approver), 1, false, "1h", "reject", List.of()),
            List.of(),
            null,
            null));
    return config.withFailover(
        new OpsflowConfig.Failover(
            clusters,
            f.maximumLagOnFailoverBytes(),
            f.confirmationWindow(),
            f.confirmationProbes(),
            f.replayTimeout(),
            f.unattended(),
            f.endWriteSessions()),
        procedures);
  }

  public DemoApp demo() {
    return demo;
  }

  public ModelServer models() {
    return models;
  }

  public AiService ai() {
    return ai;
  }

  public FlagServer flags() {
    return flags;
  }

  /** The sandbox's Prometheus, absent when it is not installed or did not start. */
  public Optional<SandboxPrometheus> prometheus() {
    return Optional.ofNullable(prometheus);
  }

  public PostgresPair pair() {
    return pair;
  }

  public KubernetesSandbox kubernetes() {
    return kubernetes;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public SandboxPostgres postgres() {
    return postgres;
  }

  /** Lines for the start-up banner. */
  public List<String> describe() {
    return List.of(
        "Kubernetes API (mock, CRUD)  "
            + kubernetes.url()
            + "   namespace "
            + NAMESPACE
            + ": "
            + KubernetesSandbox.CONSUMER
            + " (1 replica), "
            + KubernetesSandbox.OOM
            + " (OOMKilled), "
            + KubernetesSandbox.CRASH_LOOP
            + " (CrashLoopBackOff)",
        "Kafka broker (KRaft)         "
            + kafka.bootstrapServers()
            + "   group "
            + GROUP
            + " lags "
            + PRODUCED
            + " on topic "
            + TOPIC
            + " ("
            + PARTITIONS
            + " partitions)",
        "PostgreSQL                   "
            + postgres.jdbcUrl()
            + "   "
            + IDLE_SESSIONS
            + " idle sessions of "
            + postgres.maxConnections()
            + " allowed",
        "PostgreSQL primary + replica "
            + pair.primaryUrl()
            + " -> "
            + pair.replicaUrl()
            + "   failover cluster "
            + CLUSTER
            + " ("
            + PRIMARY_MEMBER
            + " streams to "
            + REPLICA_MEMBER
            + "), Service db in "
            + NAMESPACE,
        "Demo app                     "
            + demo.url()
            + "   Service "
            + WEB
            + " in "
            + NAMESPACE
            + ": "
            + WEB_REPLICAS
            + " x "
            + WEB_IMAGE
            + ", "
            + DemoApp.DEFAULT_REQUESTS_PER_SECOND
            + " req/s (split: "
            + demo.url()
            + "/split; an image tag containing 'bad' fails ~10%)",
        "Model server                 "
            + models.url()
            + "   Service "
            + MODEL
            + " in "
            + NAMESPACE
            + ": "
            + MODEL_REPLICAS
            + " x "
            + MODEL_IMAGE
            + " (models v1, v2: "
            + models.url()
            + "/models/v2/evaluate; preview Service "
            + MODEL_PREVIEW
            + "; opsflow rollout ml demo/model --model v1 ...)",
        "AI service                   "
            + ai.url()
            + "   workers "
            + AiService.WORKERS
            + ", front end "
            + AI_FRONTEND
            + " in "
            + NAMESPACE
            + " (troubles by hand: POST "
            + ai.url()
            + "/sandbox/faults {\"breakerOpen\":true}; state: GET /state)",
        "Feature flags                "
            + flags.url()
            + "   flag service '"
            + FLAG_SERVICE
            + "' (featureFlags.services; its token is set), flag "
            + FLAG
            + " at 0%",
        prometheus != null
            ? "Prometheus                   "
                + prometheus.url()
                + "   scrapes the demo app, the model server and the AI service every "
                + SandboxPrometheus.SCRAPE_INTERVAL.toSeconds()
                + " s; the worker's prometheus.url"
            : "Prometheus                   "
                + prometheusAbsence
                + ": canary analysis will be INCONCLUSIVE without it ("
                + SandboxPrometheus.INSTALL_HINT
                + ", then restart)");
  }

  private void closeIdle() {
    for (Connection c : idle) {
      try {
        c.close();
      } catch (java.sql.SQLException e) {
        // Already ended by opsflow's remediation: that is the point of the demo.
      }
    }
  }

  @Override
  public void close() {
    parts.close();
  }
}
