package dev.opsflow.workflows.rollout.mlmodel;

import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.CAPACITY;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.NEW_IMAGE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.NS;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.OLD_IMAGE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.PREVIEW;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.PREVIEW_SERVICE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.STABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.metrics.MetricsActivitiesImpl;
import dev.opsflow.activities.model.ModelServerActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.rollout.BlueGreenActivitiesImpl;
import dev.opsflow.activities.rollout.CanaryPair;
import dev.opsflow.activities.rollout.ReadyRequest;
import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.ReleaseActivitiesImpl;
import dev.opsflow.activities.rollout.ReleaseRequest;
import dev.opsflow.activities.rollout.ReleaseState;
import dev.opsflow.activities.rollout.ReplicaRatioRouter;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.activities.rollout.TrafficRouterActivitiesImpl;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.MlDeploymentRequest;
import dev.opsflow.contracts.rollout.MlModelDeployment;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import dev.opsflow.workflows.rollout.bluegreen.BlueGreenDeploymentImpl;
import dev.opsflow.workflows.rollout.bluegreen.ColourCluster;
import dev.opsflow.workflows.rollout.bluegreen.ColourPrometheus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ML model pipeline end to end with time skipping: the real model-server activity against a
 * real HTTP evaluation endpoint ({@link ModelEndpoint}), the real release, router, blue-green and
 * Service activities against fabric8's CRUD mock API server ({@link ColourCluster}), the real
 * metrics activity against a small Prometheus HTTP API ({@link ColourPrometheus}) scripted by
 * metric and version. Each test asserts what the cluster holds afterwards (images, replicas,
 * selectors) and what the run reports. Saves the paths' histories when recording is asked for
 * (-Dopsflow.recordHistories=true).
 */
class MlModelDeploymentIT {
  static final String QUEUE = "ml-model-test";
  static final RolloutTarget WEB = new RolloutTarget(NS, STABLE, STABLE, null, NEW_IMAGE);
  static final String CANARY = WEB.canaryDeployment();
  static final String CHILD = WEB.stageWorkflowId("blue-green");

  /** Production's figures: the candidate passes when it matches them. */
  static final Function<ColourPrometheus.Query, Double> HEALTHY = q -> figure(q, false);

  /** The candidate's served accuracy is 0.84 wherever it runs. */
  static final Function<ColourPrometheus.Query, Double> WORSE = q -> figure(q, true);

  private ColourCluster cluster;
  private ColourPrometheus prometheus;
  private ModelEndpoint models;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final List<String> slack = new CopyOnWriteArrayList<>();
  private final AtomicInteger restoreOutage = new AtomicInteger();
  private final AtomicInteger restoreCalls = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ColourCluster();
    prometheus = new ColourPrometheus(cluster);
    prometheus.byQuery = HEALTHY;
    models = new ModelEndpoint();
    NamespaceAllowList allowed = new NamespaceAllowList(List.of(NS));
    HardLimits limits = new HardLimits(50, "8Gi");
    KubernetesActivitiesImpl kubernetes =
        new KubernetesActivitiesImpl(cluster.client, allowed, limits);
    CanaryPair pair = new CanaryPair(cluster.client, kubernetes, allowed, limits);
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(
        WorkflowCatalog.OPTIONS, MlModelDeploymentImpl.class, BlueGreenDeploymentImpl.class);
    worker.registerActivitiesImplementations(
        new OutageProneRelease(
            new ReleaseActivitiesImpl(pair, new RolloutSettings(3600, 30, 3600, false), 60)),
        new TrafficRouterActivitiesImpl(List.of(new ReplicaRatioRouter(pair, 60))),
        new BlueGreenActivitiesImpl(pair, 60),
        kubernetes,
        new MetricsActivitiesImpl(
            HttpClient.newHttpClient(), prometheus.url(), Duration.ofSeconds(5)),
        new ModelServerActivitiesImpl(
            HttpClient.newHttpClient(), models.url(), Duration.ofSeconds(5)),
        new Notifications(),
        new Policies());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
    models.close();
    prometheus.close();
    cluster.close();
  }

  @Test
  void aModelAboveTheThresholdGoesThroughTheCanaryForTheMonitoringDurationThenBlueGreen() {
    start(request("v1", Duration.ofMinutes(10)));
    RolloutStatus monitored = waitFor(s -> s.phase() == RolloutPhase.ANALYSING && s.step() == 2);

    // The canary holds 5% of production's 20 pods (1 pod), production the rest.
    assertThat(monitored.canaryWeight()).isEqualTo(5);
    assertThat(cluster.replicas(CANARY)).isEqualTo(1);
    assertThat(cluster.image(CANARY)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY - 1);

    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(done.kind()).isEqualTo(MlModelDeployment.TYPE);
    assertThat(done.step()).isEqualTo(4);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.selector(STABLE)).isEqualTo(Map.of("app", STABLE));
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(models.evaluated).containsExactly("v1");
    assertThat(detail(done, "validate"))
        .contains("validation accuracy 0.9550 (382 of 400 right) reaches the acceptance threshold");
    // The canary was watched the whole monitoring duration before the evaluation decided.
    assertThat(at(done, "evaluate") - at(done, "weight")).isGreaterThanOrEqualTo(600_000);
    assertThat(detail(done, "evaluate")).contains("accuracy successful", "latency", "error_rate");
    // Canary vs production on every metric, then the preview against the active colour.
    assertThat(prometheus.queries)
        .extracting(ColourPrometheus.Query::colour)
        .contains("canary", "preview", "active");
    assertThat(steps(done))
        .containsSubsequence(
            "validate",
            "deploy",
            "weight",
            "evaluate",
            "weight",
            "full-deployment",
            "blue-green deploy",
            "blue-green switch",
            "blue-green promote-active");
    assertThat(done.rollbackMillis()).isNull();
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("promoted", "v1", NEW_IMAGE));
    // The status, as `opsflow rollout status` shows it after the run, carries what was measured:
    // evaluate_canary's metrics (10 measurements each over the 10 minutes, the canary's served
    // accuracy against production's), then the blue-green's confirmation (3 each).
    for (RolloutStatus shown : List.of(done, running().status())) {
      assertThat(shown.analysis())
          .extracting(MetricProgress::metric)
          .containsExactly(
              "accuracy",
              "latency",
              "error_rate",
              "blue-green accuracy",
              "blue-green latency",
              "blue-green error_rate");
      assertThat(shown.analysis())
          .allSatisfy(m -> assertThat(m.verdict()).isEqualTo(AnalysisVerdict.SUCCESSFUL));
      MetricProgress accuracy = shown.analysis().get(0);
      assertThat(accuracy.measurements()).isEqualTo(10);
      assertThat(accuracy.last().values()).containsExactly(0.955);
      assertThat(accuracy.last().stableValues()).containsExactly(0.955);
      assertThat(shown.analysis().get(3).measurements()).isEqualTo(3);
    }
    save("ml-promoted");
  }

  @Test
  void anInconclusiveCanaryPromotedByHandKeepsItsMeasurementsInTheStatus() {
    prometheus.byQuery = q -> null; // no data: every measurement inconclusive, never a pass
    start(request("v1", Duration.ofMinutes(2)));
    waitFor(s -> s.phase() == RolloutPhase.INCONCLUSIVE && s.step() == 2);
    running().promoteChecked(new Decision("alice", "dashboards look fine"));
    waitFor(s -> s.step() == 4 && !s.waitingFor().isEmpty());
    waitForChild(s -> s.phase() == RolloutPhase.INCONCLUSIVE && s.step() == 2);
    running().promoteChecked(new Decision("alice", "preview looks fine"));
    waitForChild(s -> s.phase() == RolloutPhase.INCONCLUSIVE && s.step() == 4);
    running().promoteChecked(new Decision("alice", "after the switch too"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    // The canary was evaluated by alice, never passed by the automaton.
    assertThat(first(done, "evaluate").decidedBy()).isEqualTo("alice");
    assertThat(detail(done, "evaluate")).contains("passed on promote by alice", "inconclusive");
    // What was measured stays in the status, as `opsflow rollout status` shows it after the run:
    // the inconclusive measurements that made a human decide, never an empty table.
    for (RolloutStatus shown : List.of(done, running().status())) {
      assertThat(shown.analysis())
          .extracting(MetricProgress::metric)
          .containsExactly(
              "accuracy",
              "latency",
              "error_rate",
              "blue-green accuracy",
              "blue-green latency",
              "blue-green error_rate");
      assertThat(shown.analysis())
          .allSatisfy(
              m -> {
                assertThat(m.measurements()).isPositive();
                assertThat(m.inconclusive()).isPositive();
                assertThat(m.last().message()).contains("no data");
              });
    }
  }

  @Test
  void aModelBelowTheThresholdIsRejectedWithItsFigureAndNothingIsDeployed() {
    start(request("v2", null));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.REJECTED);
    assertThat(done.failure())
        .contains("v2: validation accuracy 0.8400 (336 of 400 right) is below")
        .contains("0.92", "nothing was deployed");
    assertThat(cluster.replicas(CANARY)).as("no canary Deployment").isEqualTo(-1);
    assertThat(cluster.replicas(PREVIEW)).as("no preview Deployment").isEqualTo(-1);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(prometheus.queries).isEmpty();
    assertThat(steps(done)).containsExactly("validate");
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("validate_model", "0.8400"));
    save("ml-validation-rejected");
  }

  @Test
  void anUnreadableEvaluationIsNeverAPassAndDeploysNothing() {
    start(request("v9-garbled", null));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.FAILED);
    assertThat(done.failure()).contains("could not be read", "never a pass");
    assertThat(cluster.replicas(CANARY)).isEqualTo(-1);
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("needs a human", "v9-garbled"));
  }

  @Test
  void aCanaryLessAccurateThanProductionRollsBackAtOnceAndNeverDeploysFully() {
    prometheus.byQuery = WORSE;
    start(request("v1", Duration.ofMinutes(10)));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("performance_degradation", "analysis failed");
    // Back on production: all 20 pods, old image, the canary's pods gone, no blue-green.
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(cluster.replicas(PREVIEW)).isEqualTo(-1);
    assertThat(cluster.selector(STABLE)).isEqualTo(Map.of("app", STABLE));
    assertThat(done.canaryWeight()).isZero();
    assertThat(done.rollbackMillis()).isNotNull().isLessThan(300_000L);
    // The first failed measurement decided, long before the 10 minutes were over.
    assertThat(at(done, "rollback") - at(done, "weight")).isLessThan(600_000);
    assertThat(steps(done))
        .containsSubsequence("validate", "weight", "analysis", "rollback", "restore-stable")
        .doesNotContain("evaluate", "full-deployment");
    assertThat(slack)
        .anySatisfy(m -> assertThat(m).contains("rolled back", "accuracy", "[0.84]", "[0.955]"));
    save("ml-canary-rolled-back");
  }

  @Test
  void aRollbackLongerThanMaxRollbackTimeEscalatesWhileItGoesOn() {
    prometheus.byQuery = WORSE;
    // The API server refuses the first 8 restores: retried 5, 10, 20, 40, then every 60 s.
    restoreOutage.set(8);
    start(request("v1", Duration.ofMinutes(10)));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(restoreCalls.get()).isEqualTo(9);
    assertThat(done.rollbackMillis()).isGreaterThan(300_000L);
    assertThat(done.failure()).contains("longer than maxRollbackTime (PT5M): escalated");
    // Humans heard while the rollback still went on, at the limit.
    assertThat(slack)
        .anySatisfy(m -> assertThat(m).contains("has taken longer than maxRollbackTime (PT5M)"));
    RolloutEvent late =
        done.timeline().stream()
            .filter(e -> e.detail().contains("has taken longer"))
            .findFirst()
            .orElseThrow();
    assertThat(late.atMillis() - at(done, "rollback")).isBetween(300_000L, 301_000L);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(CANARY)).isZero();
    save("ml-slow-rollback-escalated");
  }

  @Test
  void abortDuringTheBlueGreenIsPassedOnAndItsRollbackIsThisRunsOutcome() {
    start(request("v1", Duration.ofMinutes(2)));
    waitFor(s -> s.step() == 4 && !s.waitingFor().isEmpty());
    waitForChild(s -> s.step() == 4 && s.phase() == RolloutPhase.ANALYSING);

    running().abortChecked(new Decision("alice", "accuracy alerts"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("the blue-green rolled back: aborted by alice");
    assertThat(cluster.selector(STABLE)).isEqualTo(Map.of("app", STABLE));
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(done.rollbackMillis()).isNotNull();
    assertThat(done.timeline())
        .anySatisfy(
            e -> {
              assertThat(e.step()).isEqualTo("blue-green rollback");
              assertThat(e.decidedBy()).isEqualTo("alice");
            });
    save("ml-bluegreen-aborted");
  }

  @Test
  void aBadRequestIsRefusedNamingTheFieldAndChangesNothing() {
    start(
        new MlDeploymentRequest(
            WEB, "v1", PREVIEW_SERVICE, 1.5, 0, null, null, Duration.ZERO, null));
    Throwable failed = catchThrowable(this::result);
    assertThat(rootMessage(failed))
        .contains("acceptanceThreshold: must be an accuracy above 0 and at most 1, was 1.5")
        .contains("trafficPercentage: must be from 1 to 99")
        .contains("maxRollbackTime: must be positive");
    assertThat(models.evaluated).isEmpty();
    assertThat(cluster.replicas(CANARY)).isEqualTo(-1);
  }

  // ---- fixtures ----

  /**
   * What Prometheus says for a query: accuracy 0.955 for production (0.84 for the candidate when
   * {@code worse}), p99 latency 20 ms and error rate 0.1% for both.
   */
  private static Double figure(ColourPrometheus.Query q, boolean worse) {
    boolean candidate = !q.colour().equals("active");
    if (q.promql().contains("model_predictions_total")) {
      return candidate && worse ? 0.84 : 0.955;
    }
    if (q.promql().contains("http_request_duration_seconds")) {
      return 0.02;
    }
    return 0.001;
  }

  /**
   * A real HTTP server answering {@code GET /models/<version>/evaluate} as the sandbox's model
   * server does: v1 0.955 and v2 0.84 on 400 examples, {@code v9-garbled} without an accuracy,
   * anything else 404.
   */
  static final class ModelEndpoint implements AutoCloseable {
    final List<String> evaluated = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    ModelEndpoint() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/models", this::answer);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
      String[] path = exchange.getRequestURI().getPath().split("/");
      String version = path.length == 4 ? path[2] : "";
      evaluated.add(version);
      String body =
          switch (version) {
            case "v1" -> "{\"version\":\"v1\",\"examples\":400,\"correct\":382,\"accuracy\":0.955}";
            case "v2" -> "{\"version\":\"v2\",\"examples\":400,\"correct\":336,\"accuracy\":0.84}";
            case "v9-garbled" -> "{\"version\":\"v9-garbled\",\"examples\":400}";
            default -> null;
          };
      byte[] bytes =
          (body == null ? "{\"error\":\"no model version\"}" : body)
              .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /**
   * The real release activities, except that the API server refuses {@code restoreStable} while
   * {@link #restoreOutage} lasts (a retryable failure, as a 503 would be).
   */
  private final class OutageProneRelease implements ReleaseActivities {
    private final ReleaseActivities real;

    OutageProneRelease(ReleaseActivities real) {
      this.real = real;
    }

    @Override
    public RolloutSettings settings() {
      return real.settings();
    }

    @Override
    public ReleaseState deployCanary(ReleaseRequest request) {
      return real.deployCanary(request);
    }

    @Override
    public ReleaseState scaleCanary(ReleaseRequest request) {
      return real.scaleCanary(request);
    }

    @Override
    public DeploymentInfo awaitReady(ReadyRequest request) {
      return real.awaitReady(request);
    }

    @Override
    public ReleaseState restoreStable(ReleaseRequest request) {
      restoreCalls.incrementAndGet();
      if (restoreOutage.getAndDecrement() > 0) {
        throw ApplicationFailure.newFailure("the API server is unavailable (503)", "ApiOutage");
      }
      return real.restoreStable(request);
    }

    @Override
    public ReleaseState scaleCanaryDown(ReleaseRequest request) {
      return real.scaleCanaryDown(request);
    }

    @Override
    public ReleaseState promote(ReleaseRequest request) {
      return real.promote(request);
    }
  }

  // ---- helpers ----

  private static MlDeploymentRequest request(String version, Duration monitoring) {
    return new MlDeploymentRequest(
        WEB,
        version,
        PREVIEW_SERVICE,
        null,
        null,
        monitoring,
        null,
        null,
        new RunEnvelope("medium", null, "carol", null));
  }

  private void start(MlDeploymentRequest request) {
    MlModelDeployment stub =
        client.newWorkflowStub(
            MlModelDeployment.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId(WEB.workflowId())
                .build());
    WorkflowClient.start(stub::deploy, request);
  }

  private MlModelDeployment running() {
    return client.newWorkflowStub(MlModelDeployment.class, WEB.workflowId());
  }

  private RolloutStatus result() {
    return WorkflowStub.fromTyped(running()).getResult(RolloutStatus.class);
  }

  private RolloutStatus waitFor(Predicate<RolloutStatus> until) {
    for (int i = 0; i < 900; i++) {
      RolloutStatus status = running().status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + running().status());
  }

  private RolloutStatus waitForChild(Predicate<RolloutStatus> until) {
    MlModelDeployment child = client.newWorkflowStub(MlModelDeployment.class, CHILD);
    for (int i = 0; i < 900; i++) {
      RolloutStatus status = child.status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + child.status());
  }

  private static String rootMessage(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append(" | ");
    }
    return all.toString();
  }

  private static List<String> steps(RolloutStatus status) {
    return status.timeline().stream().map(RolloutEvent::step).toList();
  }

  /** When the first event named {@code step} happened. */
  private static long at(RolloutStatus status, String step) {
    return first(status, step).atMillis();
  }

  private static String detail(RolloutStatus status, String step) {
    return first(status, step).detail();
  }

  private static RolloutEvent first(RolloutStatus status, String step) {
    return status.timeline().stream()
        .filter(e -> e.step().equals(step))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + step + " in " + status.timeline()));
  }

  private void save(String scenario) {
    RecordHistories.saveIfRecording(client, "rollout", scenario, WEB.workflowId());
  }

  private final class Notifications implements NotificationActivities {
    @Override
    public SlackPosted postSlack(SlackMessage message) {
      slack.add(message.text());
      return new SlackPosted("C1", "1." + slack.size(), false);
    }

    @Override
    public SlackPosted updateSlack(SlackUpdate update) {
      return new SlackPosted(update.channel(), update.ts(), false);
    }

    @Override
    public PagerDutyResult pagerDuty(PagerDutyEvent event) {
      return new PagerDutyResult("success", "k");
    }

    @Override
    public WebhookDelivered webhook(WebhookEvent event) {
      return new WebhookDelivered(200);
    }
  }

  /** The server's policy: no approvals for rollouts. */
  private static final class Policies implements PolicyActivities {
    @Override
    public HealingPolicy serverPolicy() {
      return RemediationTestKit.policy();
    }
  }
}
