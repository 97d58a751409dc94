package dev.opsflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.dispatch.DispatchActivitiesImpl;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.kubernetes.ResourceConditions;
import dev.opsflow.activities.metrics.MetricsActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.runbook.RunbookActivitiesImpl;
import dev.opsflow.activities.runbook.RunbookExpressionActivitiesImpl;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import dev.opsflow.workflows.remediation.governor.BlastRadiusGovernorImpl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runbooks end to end with the real activities: {@link RunbookActivitiesImpl} over the Kubernetes
 * activities against fabric8's CRUD mock API server (Deployment {@code demo/orders}, 3 replicas),
 * the metrics activity against a small Prometheus HTTP API, and real HTTP probes and calls against
 * a local server. Asserts what the cluster holds afterwards and which requests the server saw.
 */
class RunbookWorkflowIT {
  static final String QUEUE = "runbook-it";
  static final String NS = "demo";

  private KubernetesMockServer server;
  private KubernetesClient cluster;
  private HttpServer http;
  private final Map<String, Double> promql = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> slack = new CopyOnWriteArrayList<>();
  private final List<String> pages = new CopyOnWriteArrayList<>();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String workflowId;

  @BeforeEach
  void setUp() throws IOException {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    cluster = server.createClient();
    cluster
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    cluster.apps().deployments().inNamespace(NS).resource(orders()).create();

    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/api/v1/query", this::prometheus);
    http.createContext("/", this::endpoint);
    http.start();

    // The server's ceiling is 4 replicas: a runbook asking for more is refused where it acts.
    HardLimits limits = new HardLimits(4, "2Gi");
    RunbookActivitiesImpl runbooks =
        new RunbookActivitiesImpl(
            new KubernetesActivitiesImpl(cluster, new NamespaceAllowList(List.of(NS)), limits),
            new ResourceConditions(cluster),
            null,
            null,
            null,
            new MetricsActivitiesImpl(HttpClient.newHttpClient(), url(), Duration.ofSeconds(5)),
            null,
            new Notifications(),
            null,
            false,
            RemediationTestKit::policy,
            dev.opsflow.config.HttpAllowList.ANY);
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    client = env.getWorkflowClient();
    Worker worker = env.newWorker(QUEUE);
    // The real blast-radius governor: a runbook's Kubernetes change takes its slot first.
    worker.registerWorkflowImplementationTypes(
        WorkflowCatalog.OPTIONS, RunbookWorkflowImpl.class, BlastRadiusGovernorImpl.class);
    worker.registerActivitiesImplementations(
        runbooks,
        new RunbookExpressionActivitiesImpl(),
        new Notifications(),
        new Policies(),
        new DispatchActivitiesImpl(new RemediationDispatcher(client, QUEUE)));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
    http.stop(0);
    cluster.close();
    server.destroy();
  }

  private static Deployment orders() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("orders")
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "orders"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "orders"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/orders:1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withConditions(
            new DeploymentConditionBuilder().withType("Available").withStatus("True").build())
        .endStatus()
        .build();
  }

  private String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  private int replicas() {
    return cluster
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("orders")
        .get()
        .getSpec()
        .getReplicas();
  }

  private RunbookResult run(PinnedRunbook runbook, Map<String, Object> input, boolean dryRun) {
    String id = runbook.definition().id();
    workflowId =
        dryRun ? RunbookNames.dryRunWorkflowId(id, "it") : RunbookNames.workflowId(id, "it");
    RunbookWorkflow stub =
        client.newWorkflowStub(
            RunbookWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(workflowId).build());
    WorkflowClient.start(
        stub::run, new RunbookRequest(runbook, input, dryRun, List.of(), "carol", null));
    return WorkflowStub.fromTyped(client.newWorkflowStub(RunbookWorkflow.class, workflowId))
        .getResult(RunbookResult.class);
  }

  private void overloaded() {
    promql.put(
        "sum(rate(http_requests_total{service=\"orders\",code=~\"5..\"}[5m])) /"
            + " sum(rate(http_requests_total{service=\"orders\"}[5m]))",
        0.2);
    promql.put("sum(rate(http_requests_total{service=\"orders\"}[5m]))", 800.0);
  }

  private static StepRecord record(RunbookResult result, String stepId) {
    return result.history().stream()
        .filter(r -> r.stepId().equals(stepId))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theShippedHighErrorRateRunbookScalesTheRealDeploymentAndTellsTheTeam() {
    overloaded();
    RunbookResult done =
        run(
            RunbookTestKit.shipped("high-error-rate"),
            Map.of("service", "orders", "namespace", NS, "replicas", 2),
            false);

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(replicas()).isEqualTo(4);
    assertThat(record(done, "scale-out").result())
        .isEqualTo(Map.of("previousReplicas", 3, "replicas", 4, "changed", true));
    assertThat(slack).containsExactly("orders: 5xx ratio was 0.2; opsflow acted.");
  }

  @Test
  void aScaleAboveTheServersCeilingIsRefusedWhereItActsAndTheRunbookPages() {
    overloaded();
    RunbookResult done =
        run(
            RunbookTestKit.shipped("high-error-rate"),
            Map.of("service", "orders", "namespace", NS, "replicas", 3),
            false);

    assertThat(replicas()).isEqualTo(3);
    assertThat(record(done, "scale-out").detail())
        .contains("PolicyViolation", "healing.maxReplicas");
    assertThat(pages).singleElement().asString().contains("high error rate");
    assertThat(slack).isEmpty();
  }

  @Test
  void aDryRunReadsTheRealMetricsAndLeavesTheDeploymentAlone() {
    overloaded();
    RunbookResult done =
        run(
            RunbookTestKit.shipped("high-error-rate"),
            Map.of("service", "orders", "namespace", NS, "replicas", 2),
            true);

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(replicas()).isEqualTo(3);
    assertThat(done.plan()).hasSize(2);
    assertThat(slack).isEmpty();
  }

  private static final String PROBE_AND_CALL =
      """
      id: breaker
      name: Reset a breaker when the Deployment is up but the service says no
      version: "1"
      startWith: available
      steps:
        - id: available
          type: check
          probe: kubernetes.condition
          parameters: { namespace: demo, kind: Deployment, name: orders }
          onSuccess: health
        - id: health
          type: check
          probe: http.probe
          parameters: { url: "{{ input.base }}/health", expectStatus: 200 }
          retry: { attempts: 1 }
          onFailure: reset
        - id: reset
          type: action
          action: http.call
          parameters: { url: "{{ input.base }}/breaker/reset", body: "{{ steps.health.result.status }}" }
      """;

  @Test
  void realProbesAndCallsFollowTheirTransitions() {
    RunbookResult done = run(RunbookTestKit.inline(PROBE_AND_CALL), Map.of("base", url()), false);

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(record(done, "available").result())
        .isEqualTo(Map.of("condition", "Available", "status", "True", "reason", ""));
    assertThat(record(done, "health").outcome()).isEqualTo(StepRecord.StepOutcome.FAILED);
    assertThat(requests).containsExactly("GET /health", "POST /breaker/reset 503");
  }

  private static final String SCALE_OUT_ONLY =
      """
      id: scale-out-only
      name: A scale-out never scales in; a flag with no flag router fails naming the setting
      version: "1"
      startWith: scale
      steps:
        - id: scale
          type: action
          action: kubernetes.scale
          parameters: { namespace: demo, deployment: orders, replicas: 2, onlyUp: true }
          onSuccess: flag
        - id: flag
          type: action
          action: featureFlag.setWeight
          parameters: { service: flags, flag: new-checkout, percentage: 10 }
          retry: { attempts: 1 }
      """;

  @Test
  void onlyUpKeepsTheReplicasAboveTheAskAndAFlagWithoutARouterFailsNamingTheSetting() {
    RunbookResult done = run(RunbookTestKit.inline(SCALE_OUT_ONLY), Map.of(), false);

    assertThat(replicas()).isEqualTo(3);
    assertThat(record(done, "scale").result())
        .isEqualTo(
            Map.of(
                "previousReplicas",
                3,
                "replicas",
                3,
                "changed",
                false,
                "asked",
                2,
                "capped",
                false));
    assertThat(record(done, "flag").outcome()).isEqualTo(StepRecord.StepOutcome.FAILED);
    assertThat(record(done, "flag").detail()).contains("featureFlags.services", "NotConfigured");
  }

  // ---- the local servers ----

  private void prometheus(HttpExchange exchange) throws IOException {
    String form =
        "POST".equals(exchange.getRequestMethod())
            ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
            : exchange.getRequestURI().getRawQuery();
    String query = "";
    for (String pair : form == null ? new String[0] : form.split("&")) {
      if (pair.startsWith("query=")) {
        query = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    Double value = promql.get(query);
    String result =
        value == null
            ? "[]"
            : "[{\"metric\":{},\"value\":["
                + System.currentTimeMillis() / 1000.0
                + ",\""
                + value
                + "\"]}]";
    reply(
        exchange,
        200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}");
  }

  private void endpoint(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
    reply(exchange, path.equals("/health") ? 503 : 200, "{}");
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
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
      pages.add(event.eventAction() + " " + event.summary());
      return new PagerDutyResult("success", event.dedupKey());
    }

    @Override
    public WebhookDelivered webhook(WebhookEvent event) {
      return new WebhookDelivered(200);
    }
  }

  private static final class Policies implements PolicyActivities {
    @Override
    public HealingPolicy serverPolicy() {
      return RemediationTestKit.policy();
    }
  }
}
