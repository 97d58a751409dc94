package dev.opsflow.worker.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.sandbox.ai.AiService;
import dev.opsflow.sandbox.flags.FlagServer;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import dev.opsflow.sandbox.prometheus.SandboxPrometheus;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.SearchAttributeSetup;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javalin.Javalin;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The six prebuilt runbooks of {@code runbooks/}, each run by the real {@code RunbookWorkflow} with
 * the worker's own activities ({@link ActivityCatalog#fromConfig}, configured like a worker: a
 * kubeconfig, a JDBC URL, a Prometheus URL, flag services and tokens) against the sandbox: the
 * Kubernetes API (fabric8 CRUD mock + the sandbox controller), a real PostgreSQL, real HTTP servers
 * ({@link AiService}, {@link FlagServer}, Slack / PagerDuty / webhook endpoints) and Debian's
 * Prometheus scraping the AI services (the tests that read PromQL are skipped without it). Each
 * asserts the sandbox's state afterwards; each runbook also runs as a dry run that must leave the
 * sandbox as it was. Time skips through the runbooks' waits (30 minutes per rollout step).
 */
class PrebuiltRunbooksIT {
  private static final String NS = "demo";
  private static final Path SHIPPED = Path.of("..", "runbooks");
  private static final String FLAG_TOKEN = "flag-token-it";
  private static final String FRONTEND = "ai-frontend";
  private static final int CEILING = 8;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private static KubernetesSandbox kubernetes;
  private static SandboxPostgres postgres;
  private static SandboxPrometheus prometheus;
  private static FlagServer flags;
  private static AiService shop;
  private static AiService organic;
  private static AiService bots;
  private static AiService flood;
  private static Javalin notifications;
  private static final List<String> told = new CopyOnWriteArrayList<>();
  private static final List<ApiRequest> opsflowWrites = new CopyOnWriteArrayList<>();
  private static TestWorkflowEnvironment env;
  private static ActivityCatalog activities;
  private static WorkflowClient client;

  private AiService ai;

  @BeforeAll
  static void startSandbox() throws Exception {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedApplication(NS, AiService.WORKERS, 3, "registry.example/ai-workers:1.0");
    kubernetes.seedApplication(NS, FRONTEND, 2, "registry.example/ai-frontend:1.0");
    kubernetes.onRequest(
        r -> {
          if (r.byOpsflow() && r.mutating()) {
            opsflowWrites.add(r);
          }
        });
    postgres = SandboxPostgres.start(50);
    flags = FlagServer.start(FLAG_TOKEN).define("new-ranking", 0).define("new-search", 0);
    // The services Prometheus scrapes, each with its traffic from the start, so a rate over the
    // last 2 minutes is the scenario's and no other's.
    shop =
        AiService.start("shop")
            .traffic(200, 0, 0)
            .feature("new-ranking", flags.reader("new-ranking"), 0.002)
            .feature("new-search", flags.reader("new-search"), 0.08);
    organic = AiService.start("organic").traffic(600, 0, 0);
    bots = AiService.start("bots").traffic(150, 300, 0);
    flood = AiService.start("flood").traffic(100, 0, 3000);
    if (SandboxPrometheus.installed().isPresent()) {
      Map<String, String> targets = new LinkedHashMap<>();
      for (AiService s : List.of(shop, organic, bots, flood)) {
        targets.put(s.service(), s.scrapeTarget());
      }
      prometheus = SandboxPrometheus.start(SandboxPrometheus.installed().get(), targets);
    }
    notifications =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post(
                      "/api/chat.postMessage",
                      ctx -> {
                        told.add("slack " + form(ctx.body()).get("text"));
                        ctx.json(Map.of("ok", true, "channel", "C0OPS", "ts", "1700000000.000100"));
                      });
                  cfg.routes.post(
                      "/v2/enqueue",
                      ctx -> {
                        JsonNode event = JSON.readTree(ctx.body());
                        told.add(
                            "pagerduty "
                                + event.path("event_action").asText()
                                + " "
                                + event.path("payload").path("summary").asText());
                        ctx.status(202)
                            .json(
                                Map.of(
                                    "status",
                                    "success",
                                    "dedup_key",
                                    event.path("dedup_key").asText()));
                      });
                  cfg.routes.post(
                      "/webhook",
                      ctx -> {
                        JsonNode event = JSON.readTree(ctx.body());
                        if (ctx.body().contains("runbook:notify")) {
                          told.add("webhook " + event.toString());
                        }
                        ctx.status(200);
                      });
                })
            .start("127.0.0.1", 0);
    Path dir = Files.createTempDirectory("prebuilt-runbooks-it");
    Map<String, String> settings = new HashMap<>();
    settings.put("KUBECONFIG", kubernetes.writeKubeconfig(dir).toString());
    settings.put("KUBERNETES_ALLOWED_NAMESPACES", NS);
    settings.put("MAX_REPLICAS", Integer.toString(CEILING));
    settings.put("POSTGRES_URL", postgres.jdbcUrl());
    settings.put("POSTGRES_USER", postgres.user());
    settings.put("FEATURE_FLAG_SERVICES", "flags=" + flags.url());
    settings.put("FEATURE_FLAG_TOKENS", "flags:" + FLAG_TOKEN);
    String local = "http://127.0.0.1:" + notifications.port();
    settings.put("SLACK_TOKEN", "xoxb-prebuilt-it");
    settings.put("SLACK_CHANNEL", "#ops");
    settings.put("SLACK_API_URL", local + "/api/");
    settings.put("PAGERDUTY_ROUTING_KEY", "routing-key-it");
    settings.put("PAGERDUTY_EVENTS_URL", local + "/v2/enqueue");
    settings.put("WEBHOOK_URL", local + "/webhook");
    if (prometheus != null) {
      settings.put("PROMETHEUS_URL", prometheus.url());
    }
    OpsflowConfig config = ConfigLoader.load(null, settings);

    env = TestWorkflowEnvironment.newInstance();
    client = env.getWorkflowClient();
    SearchAttributeSetup.ensure(client);
    activities = ActivityCatalog.fromConfig(config, client);
    Worker worker = env.newWorker(TaskQueues.OPERATIONS);
    WorkflowCatalog.register(worker);
    worker.registerActivitiesImplementations(activities.implementations().toArray());
    env.start();
  }

  @AfterAll
  static void stopSandbox() throws Exception {
    if (env != null) {
      env.close();
    }
    if (activities != null) {
      activities.close();
    }
    for (AutoCloseable part : new AutoCloseable[] {prometheus, shop, organic, bots, flood, flags}) {
      if (part != null) {
        part.close();
      }
    }
    if (notifications != null) {
      notifications.stop();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
  }

  @BeforeEach
  void freshService() {
    told.clear();
    opsflowWrites.clear();
    // One AI service per test, its workers the shared Deployment (restarts before now are seen).
    ai = AiService.start("ai").bindWorkers(kubernetes.client(), NS, AiService.WORKERS);
  }

  @AfterEach
  void stopService() {
    ai.close();
  }

  // ---- ai-service-recovery ----

  @Test
  void aiServiceRecoveryResetsTheBreakerClearsTheCacheRestartsTheWorkersAndSeesItHealthy() {
    ai.openBreaker().memory(0.2, 0);
    String restartedBefore = restartedAt(AiService.WORKERS);

    RunbookResult done = run("ai-service-recovery", Map.of("baseUrl", ai.url()), false);

    assertThat(done.phase()).as(done.failure()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(steps(done))
        .containsExactly(
            "health",
            "dependencies",
            "reset-breaker",
            "clear-cache",
            "restart-workers",
            "settle",
            "verify",
            "recovered");
    assertThat(ai.breakerResets()).isEqualTo(1);
    assertThat(ai.cacheClears()).isEqualTo(1);
    assertThat(ai.restarts()).isEqualTo(1);
    assertThat(ai.healthy()).isTrue();
    assertThat(restartedAt(AiService.WORKERS)).isNotNull().isNotEqualTo(restartedBefore);
    assertThat(told)
        .singleElement()
        .asString()
        .startsWith("slack AI service")
        .contains("recovered");
  }

  @Test
  void aiServiceRecoveryWithADependencyDownPagesItsOwnerAndResetsNothing() {
    ai.openBreaker().dependencyDown(AiService.VECTOR_STORE);

    RunbookResult done = run("ai-service-recovery", Map.of("baseUrl", ai.url()), false);

    assertThat(steps(done)).containsExactly("health", "dependencies", "page-dependency-owner");
    assertThat(ai.mutatingCalls()).isEmpty();
    assertThat(ai.restarts()).isZero();
    assertThat(opsflowWrites).isEmpty();
    assertThat(told)
        .singleElement()
        .asString()
        .startsWith("pagerduty trigger")
        .contains("vector-store");
  }

  @Test
  void aiServiceRecoveryOfAServiceThatStaysBrokenEscalates() {
    ai.openBreaker().stuck(true);

    RunbookResult done = run("ai-service-recovery", Map.of("baseUrl", ai.url()), false);

    assertThat(steps(done)).endsWith("verify", "escalate");
    assertThat(ai.breakerResets()).isEqualTo(1);
    assertThat(ai.restarts()).isEqualTo(1);
    assertThat(told).singleElement().asString().contains("did not recover", "503");
  }

  @Test
  void aiServiceRecoveryDryRunAsksButChangesNothing() {
    ai.openBreaker();
    String restartedBefore = restartedAt(AiService.WORKERS);

    RunbookResult done = run("ai-service-recovery", Map.of("baseUrl", ai.url()), true);

    assertThat(planned(done))
        .containsExactly(
            "reset-breaker http.call",
            "clear-cache http.call",
            "restart-workers kubernetes.rolloutRestart",
            "escalate notify.pagerduty");
    assertThat(ai.calls()).contains("GET /health", "GET /health/dependencies");
    assertThat(ai.mutatingCalls()).isEmpty();
    assertThat(ai.breakerOpen()).isTrue();
    assertThat(restartedAt(AiService.WORKERS)).isEqualTo(restartedBefore);
    assertThat(opsflowWrites).isEmpty();
    assertThat(told).isEmpty();
  }

  // ---- database-performance ----

  @Test
  void databasePerformanceCancelsTheSlowQueryOnRealPostgresAndSendsIndexAdvice() throws Exception {
    CompletableFuture<String> slow = slowQuery(postgres.appUser());

    RunbookResult done = run("database-performance", Map.of("slowQueryThreshold", "1s"), false);

    assertThat(done.phase()).as(done.failure()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(steps(done))
        .containsExactly(
            "connection-pool",
            "slow-queries",
            "any-slow",
            "cancel",
            "verify-cancelled",
            "index-advice");
    // 57014: the statement was cancelled (query_canceled), the session kept.
    assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("57014");
    assertThat(resultOf(done, "cancel")).containsEntry("count", 1);
    assertThat(told)
        .singleElement()
        .asString()
        .startsWith("slack 1 quer(ies) slower than 1s stopped")
        .contains("EXPLAIN ANALYZE", "pg_sleep");
  }

  @Test
  void databasePerformanceNeverStopsASuperusersQueryAndPages() throws Exception {
    CompletableFuture<String> slow = slowQuery(SandboxPostgres.SUPERUSER);
    try {
      RunbookResult done = run("database-performance", Map.of("slowQueryThreshold", "1s"), false);

      assertThat(steps(done))
          .endsWith("cancel", "verify-cancelled", "terminate", "verify-terminated", "escalate");
      assertThat(resultOf(done, "terminate")).containsEntry("count", 0);
      assertThat(activeSleeps()).isEqualTo(1);
      assertThat(told).singleElement().asString().startsWith("pagerduty trigger queries slower");
    } finally {
      cancelSleeps();
      slow.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void databasePerformanceDryRunFindsTheSlowQueryAndLeavesItRunning() throws Exception {
    CompletableFuture<String> slow = slowQuery(postgres.appUser());
    try {
      RunbookResult done = run("database-performance", Map.of("slowQueryThreshold", "1s"), true);

      assertThat(record(done, "slow-queries").result()).asList().hasSize(1);
      assertThat(planned(done)).contains("cancel postgres.cancelSlowQueries");
      assertThat(activeSleeps()).isEqualTo(1);
      assertThat(slow).isNotDone();
      assertThat(told).isEmpty();
    } finally {
      cancelSleeps();
      slow.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  // ---- high-memory-usage ----

  @Test
  void highMemoryUsageClearsTheCacheAndStopsThereWhenThatIsEnough() {
    ai.memory(0.5, 0);

    RunbookResult done =
        run(
            "high-memory-usage",
            Map.of("baseUrl", ai.url(), "deployment", AiService.WORKERS),
            false);

    assertThat(steps(done))
        .containsExactly(
            "memory",
            "above-threshold",
            "clear-caches",
            "settle-after-clear",
            "memory-after-clear",
            "still-high",
            "relieved-by-clear");
    assertThat(ai.cacheClears()).isEqualTo(1);
    assertThat(ai.memory()).isEqualTo(AiService.BASELINE_MEMORY);
    assertThat(ai.restarts()).isZero();
    assertThat(opsflowWrites).isEmpty();
    assertThat(told)
        .containsExactly("slack ai-workers memory 0.900 -> 0.400 after clearing its caches");
  }

  @Test
  void highMemoryUsageRestartsALeakAndSchedulesMaintenanceWhenItRecurs() {
    ai.memory(0.05, 0.5).leakRecurs(true);

    RunbookResult done =
        run(
            "high-memory-usage",
            Map.of("baseUrl", ai.url(), "deployment", AiService.WORKERS),
            false);

    assertThat(steps(done))
        .endsWith(
            "restart",
            "settle-after-restart",
            "memory-after-restart",
            "recurs",
            "schedule-maintenance",
            "tell-team-maintenance");
    assertThat(ai.cacheClears()).isEqualTo(1);
    assertThat(ai.restarts()).isEqualTo(1);
    assertThat(opsflowWrites)
        .singleElement()
        .satisfies(w -> assertThat(w.name()).isEqualTo(AiService.WORKERS));
    assertThat(told).hasSize(2);
    assertThat(told.get(0))
        .startsWith("webhook")
        .contains("schedule maintenance for demo/ai-workers");
    assertThat(told.get(1)).startsWith("slack").contains("maintenance requested");
  }

  @Test
  void highMemoryUsageOfALeakThatARestartFixesEndsRelieved() {
    ai.memory(0.05, 0.5);

    RunbookResult done =
        run(
            "high-memory-usage",
            Map.of("baseUrl", ai.url(), "deployment", AiService.WORKERS),
            false);

    assertThat(steps(done)).endsWith("recurs", "relieved-by-restart");
    assertThat(ai.memory()).isEqualTo(AiService.BASELINE_MEMORY);
    assertThat(told).containsExactly("slack ai-workers memory 0.950 -> 0.400 after a restart");
  }

  @Test
  void highMemoryUsageDryRunClearsNothingAndRestartsNothing() {
    ai.memory(0.05, 0.5);

    RunbookResult done =
        run(
            "high-memory-usage",
            Map.of("baseUrl", ai.url(), "deployment", AiService.WORKERS),
            true);

    assertThat(planned(done))
        .containsExactly(
            "clear-caches http.call",
            "restart kubernetes.rolloutRestart",
            "schedule-maintenance notify.webhook",
            "tell-team-maintenance notify.slack");
    assertThat(ai.mutatingCalls()).isEmpty();
    assertThat(ai.memory()).isEqualTo(0.95);
    assertThat(opsflowWrites).isEmpty();
    assertThat(told).isEmpty();
  }

  // ---- error-recovery ----

  private Map<String, Object> errorRecoveryContext() {
    return Map.of(
        "actionUrl", ai.url() + "/jobs/reindex",
        "recoveryUrl", ai.url() + "/circuit-breaker/reset",
        "healthUrl", ai.url() + "/health",
        "deployment", AiService.WORKERS);
  }

  @Test
  void errorRecoveryRetriesTheFirstRecoveryThroughTransientFailuresThenTheActionSucceeds() {
    ai.openBreaker().failNext("/circuit-breaker/reset", 2);

    RunbookResult done = run("error-recovery", errorRecoveryContext(), false);

    assertThat(steps(done))
        .containsExactly(
            "main-action", "recovery-1", "main-after-recovery-1", "verify", "recovered");
    assertThat(ai.calls()).filteredOn("POST /circuit-breaker/reset"::equals).hasSize(3);
    assertThat(ai.breakerResets()).isEqualTo(1);
    assertThat(ai.jobsRun()).isEqualTo(1);
    assertThat(ai.restarts()).isZero();
    assertThat(told).singleElement().asString().startsWith("slack").contains("recovery 1");
  }

  @Test
  void errorRecoveryOfAStuckServiceRestartsItThenTellsTheTeamThenPagesOnCall() {
    ai.openBreaker().stuck(true);

    RunbookResult done = run("error-recovery", errorRecoveryContext(), false);

    assertThat(steps(done))
        .containsExactly(
            "main-action",
            "recovery-1",
            "main-after-recovery-1",
            "recovery-2",
            "settle",
            "main-after-recovery-2",
            "tell-team",
            "give-team-time",
            "still-failing",
            "page-on-call");
    assertThat(ai.restarts()).isEqualTo(1);
    assertThat(ai.jobsRun()).isZero();
    assertThat(
            record(done, "page-on-call").startedAtMillis()
                - record(done, "tell-team").endedAtMillis())
        .isGreaterThanOrEqualTo(Duration.ofMinutes(15).toMillis());
    assertThat(told).hasSize(2);
    assertThat(told.get(0)).startsWith("slack").contains("still fails after both recoveries");
    assertThat(told.get(1)).startsWith("pagerduty trigger").contains("15 minutes after the team");
  }

  @Test
  void errorRecoveryDryRunRunsNoActionAtAll() {
    ai.openBreaker();

    RunbookResult done = run("error-recovery", errorRecoveryContext(), true);

    assertThat(planned(done)).containsExactly("main-action http.call", "done notify.audit-log");
    assertThat(ai.calls()).isEmpty();
    assertThat(opsflowWrites).isEmpty();
  }

  // ---- gradual-rollout (Prometheus) ----

  @Test
  void gradualRolloutRaisesAHealthyFeatureToOneHundredPercentInFourSteps() {
    needsPrometheus();
    awaitValue(featureErrors("new-ranking"), v -> v < 0.01);

    RunbookResult done = run("gradual-rollout", Map.of("flag", "new-ranking"), false);

    assertThat(done.phase()).as(done.failure()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(flags.writes("new-ranking")).containsExactly(10, 25, 50, 100);
    assertThat(flags.percentage("new-ranking")).isEqualTo(100);
    assertThat(done.durationMillis()).isGreaterThanOrEqualTo(Duration.ofMinutes(120).toMillis());
    assertThat(told).singleElement().asString().startsWith("slack new-ranking is at 100%");
  }

  @Test
  void gradualRolloutOfAFailingFeatureSetsTheFlagBackToZeroAndPages() {
    needsPrometheus();
    awaitValue(featureErrors("new-search"), v -> v > 0.01);

    RunbookResult done = run("gradual-rollout", Map.of("flag", "new-search"), false);

    assertThat(flags.writes("new-search")).containsExactly(10, 0);
    assertThat(flags.percentage("new-search")).isZero();
    assertThat(record(done, "error-rate").detail()).contains("does not hold");
    assertThat(told)
        .singleElement()
        .asString()
        .startsWith("pagerduty trigger new-search rolled back to 0%");
  }

  @Test
  void gradualRolloutDryRunMeasuresButNeverWritesTheFlag() {
    needsPrometheus();
    awaitValue(featureErrors("new-ranking"), v -> v < 0.01);
    int requestsBefore = flags.requests().size();
    Integer before = flags.percentage("new-ranking");

    RunbookResult done = run("gradual-rollout", Map.of("flag", "new-ranking"), true);

    assertThat(planned(done))
        .containsExactly(
            "set-weight featureFlag.setWeight",
            "set-weight featureFlag.setWeight",
            "set-weight featureFlag.setWeight",
            "set-weight featureFlag.setWeight",
            "rolled-out notify.slack");
    assertThat(done.plan().get(3).parameters()).containsEntry("percentage", 100);
    assertThat(flags.requests()).hasSize(requestsBefore);
    assertThat(flags.percentage("new-ranking")).isEqualTo(before);
  }

  // ---- traffic-spike-management (Prometheus) ----

  private static Map<String, Object> spikeContext(AiService service) {
    return Map.of(
        "service",
        service.service(),
        "baseUrl",
        service.url(),
        "mitigationUrl",
        service.url() + "/mitigation",
        "deployment",
        FRONTEND);
  }

  @Test
  void anOrganicSpikeScalesOutButNeverAboveTheServersCeiling() {
    needsPrometheus();
    awaitValue(sustained(organic), v -> v > 200);
    kubernetes.client().apps().deployments().inNamespace(NS).withName(FRONTEND).scale(2);

    RunbookResult done = run("traffic-spike-management", spikeContext(organic), false);

    assertThat(record(done, "kind").result()).isEqualTo("otherwise");
    assertThat(replicas(FRONTEND)).isEqualTo(CEILING);
    assertThat(resultOf(done, "scale-out"))
        .containsEntry("replicas", CEILING)
        .containsEntry("capped", true);
    assertThat(told).singleElement().asString().contains("2 -> 8 replicas (capped");
  }

  @Test
  void aBotSpikeIsRateLimitedAndNothingIsScaled() {
    needsPrometheus();
    awaitValue(sustained(bots), v -> v > 200);
    int replicasBefore = replicas(FRONTEND);

    RunbookResult done = run("traffic-spike-management", spikeContext(bots), false);

    assertThat(record(done, "kind").result()).isEqualTo("bot");
    assertThat(bots.rateLimit("bot")).isEqualTo(20);
    assertThat(bots.blockingAnonymous()).isFalse();
    assertThat(replicas(FRONTEND)).isEqualTo(replicasBefore);
    assertThat(opsflowWrites).isEmpty();
    assertThat(told).singleElement().asString().startsWith("slack bots: bot spike");
  }

  @Test
  void aFloodWithoutUserAgentsIsMitigatedAndSecurityIsPaged() {
    needsPrometheus();
    awaitValue(sustained(flood), v -> v > 200);

    RunbookResult done = run("traffic-spike-management", spikeContext(flood), false);

    assertThat(record(done, "kind").result()).isEqualTo("ddos");
    assertThat(flood.blockingAnonymous()).isTrue();
    assertThat(flood.mitigations()).isEqualTo(1);
    assertThat(opsflowWrites).isEmpty();
    assertThat(told)
        .singleElement()
        .asString()
        .startsWith("pagerduty trigger SECURITY: DDoS on flood");
  }

  @Test
  void aSpikeDryRunClassifiesButNeitherScalesNorLimits() {
    needsPrometheus();
    awaitValue(sustained(bots), v -> v > 200);
    Integer limitBefore = bots.rateLimit("bot");
    List<String> callsBefore = bots.mutatingCalls();
    int replicasBefore = replicas(FRONTEND);

    RunbookResult done = run("traffic-spike-management", spikeContext(bots), true);

    assertThat(record(done, "kind").result()).isEqualTo("bot");
    assertThat(planned(done))
        .containsExactly("rate-limit http.call", "tell-rate-limited notify.slack");
    assertThat(bots.rateLimit("bot")).isEqualTo(limitBefore);
    assertThat(bots.mutatingCalls()).isEqualTo(callsBefore);
    assertThat(replicas(FRONTEND)).isEqualTo(replicasBefore);
    assertThat(opsflowWrites).isEmpty();
    assertThat(told).isEmpty();
  }

  // ---- running ----

  private static RunbookResult run(String id, Map<String, Object> context, boolean dryRun) {
    RunbookValidation validation = RunbookLoader.read(SHIPPED.resolve(id + ".yaml"));
    assertThat(validation.problems()).isEmpty();
    PinnedRunbook runbook = validation.runbook();
    String key = "it" + RUNS.incrementAndGet();
    String workflowId =
        dryRun ? RunbookNames.dryRunWorkflowId(id, key) : RunbookNames.workflowId(id, key);
    RunbookWorkflow stub =
        client.newWorkflowStub(
            RunbookWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.OPERATIONS)
                .setWorkflowId(workflowId)
                .build());
    WorkflowClient.start(
        stub::run, new RunbookRequest(runbook, context, dryRun, List.of(), "it", null));
    return WorkflowStub.fromTyped(client.newWorkflowStub(RunbookWorkflow.class, workflowId))
        .getResult(RunbookResult.class);
  }

  private static List<String> steps(RunbookResult result) {
    return result.history().stream().map(StepRecord::stepId).toList();
  }

  private static List<String> planned(RunbookResult result) {
    return result.plan().stream().map(p -> p.stepId() + " " + p.operation()).toList();
  }

  private static StepRecord record(RunbookResult result, String stepId) {
    return result.history().stream()
        .filter(r -> r.stepId().equals(stepId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + stepId + " in " + steps(result)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> resultOf(RunbookResult result, String stepId) {
    return (Map<String, Object>) record(result, stepId).result();
  }

  // ---- the sandbox, read back ----

  private static Deployment deployment(String name) {
    return kubernetes.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static int replicas(String name) {
    return deployment(name).getSpec().getReplicas();
  }

  private static String restartedAt(String name) {
    Map<String, String> a = deployment(name).getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get("kubectl.kubernetes.io/restartedAt");
  }

  /**
   * Runs {@code select pg_sleep(60)} as {@code user}, and returns once PostgreSQL has run it for
   * more than a second; the future completes with the SQLSTATE it ended with.
   */
  private static CompletableFuture<String> slowQuery(String user) throws Exception {
    CompletableFuture<String> ended =
        CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = postgres.dataSource(user).getConnection();
                  Statement s = c.createStatement()) {
                s.execute("select pg_sleep(60)");
                return "completed";
              } catch (SQLException e) {
                return e.getSQLState();
              }
            });
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                count(
                        "select count(*) from pg_stat_activity where query = 'select pg_sleep(60)'"
                            + " and now() - query_start > interval '1500 milliseconds'")
                    == 1);
    return ended;
  }

  private static int activeSleeps() throws SQLException {
    return count(
        "select count(*) from pg_stat_activity where state = 'active'"
            + " and query = 'select pg_sleep(60)'");
  }

  private static void cancelSleeps() throws SQLException {
    count(
        "select count(pg_cancel_backend(pid)) from pg_stat_activity"
            + " where query = 'select pg_sleep(60)' and pid <> pg_backend_pid()");
  }

  private static int count(String sql) throws SQLException {
    try (Connection c = postgres.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getInt(1);
    }
  }

  // ---- Prometheus ----

  private static void needsPrometheus() {
    assumeTrue(
        prometheus != null,
        "Prometheus is not installed at "
            + SandboxPrometheus.DEFAULT_BINARY
            + " ("
            + SandboxPrometheus.INSTALL_HINT
            + ")");
  }

  private static String featureErrors(String flag) {
    return "sum(rate(feature_requests_total{flag=\""
        + flag
        + "\",variant=\"on\",code=~\"5..\"}[30m])) / sum(rate(feature_requests_total{flag=\""
        + flag
        + "\",variant=\"on\"}[30m]))";
  }

  private static String sustained(AiService service) {
    return "min_over_time(sum(irate(ai_requests_total{service=\""
        + service.service()
        + "\"}[1m]))[2m:5s])";
  }

  /** Waits (at most 60 s) until Prometheus answers {@code query} with a value that holds. */
  private static void awaitValue(String query, DoublePredicate holds) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Double v = instant(query);
              return v != null && !v.isNaN() && holds.test(v);
            });
  }

  private static Double instant(String query) throws Exception {
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        prometheus.url()
                            + "/api/v1/query?query="
                            + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
    if (!result.isArray() || result.isEmpty()) {
      return null;
    }
    return Double.valueOf(result.get(0).path("value").get(1).asText());
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return fields;
  }
}
