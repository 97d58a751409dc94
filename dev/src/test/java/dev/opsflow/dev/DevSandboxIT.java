package dev.opsflow.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.diagnostics.ConnectivityCheck;
import dev.opsflow.contracts.diagnostics.ConnectivityCheckInput;
import dev.opsflow.contracts.diagnostics.ConnectivityReport;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.prometheus.SandboxPrometheus;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code opsflow dev --sandbox} starts: the sandbox seeded as the README describes, and a dev
 * stack that reaches it through configuration only.
 */
class DevSandboxIT {
  private static final String APPROVER = "dev-user";
  private static DevSandbox sandbox;
  private static DevStack stack;

  @BeforeAll
  static void start() {
    sandbox = DevSandbox.start();
    OpsflowConfig config =
        sandbox.withFailoverCluster(ConfigLoader.load(null, sandbox.settings()), APPROVER);
    stack = DevStack.start(config, "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void theStackReachesKubernetesKafkaAndPostgresOfTheSandbox() {
    ConnectivityReport report =
        stack
            .client()
            .newWorkflowStub(
                ConnectivityCheck.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.OPERATIONS)
                    .setWorkflowId("sandbox-connectivity")
                    .build())
            .check(new ConnectivityCheckInput(List.of("kubernetes", "kafka", "postgres")));

    Map<String, Boolean> reachable =
        report.results().stream()
            .collect(Collectors.toMap(ProbeResult::system, ProbeResult::reachable));
    assertThat(reachable)
        .containsOnly(
            Map.entry("kubernetes", true), Map.entry("kafka", true), Map.entry("postgres", true));
    assertThat(sandbox.settings())
        .containsEntry("KUBERNETES_ALLOWED_NAMESPACES", DevSandbox.NAMESPACE)
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", sandbox.kafka().bootstrapServers())
        .containsEntry("POSTGRES_URL", sandbox.postgres().jdbcUrl());
  }

  @Test
  void theDemoNamespaceHasTheConsumerAtOneReplicaAndPostgresHasTheIdleSessions() throws Exception {
    assertThat(
            sandbox
                .kubernetes()
                .client()
                .apps()
                .deployments()
                .inNamespace(DevSandbox.NAMESPACE)
                .withName(KubernetesSandbox.CONSUMER)
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(1);

    try (Connection c = sandbox.postgres().dataSource().getConnection();
        PreparedStatement idle =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND state = 'idle'")) {
      idle.setString(1, "sandbox-app");
      try (ResultSet rs = idle.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(DevSandbox.IDLE_SESSIONS);
      }
    }
  }

  @Test
  void aSwitchoverOfTheDemoClusterMovesTheServiceToTheReplica() throws Exception {
    FailoverDoor.start(
        stack.client(),
        TaskQueues.OPERATIONS,
        new FailoverRequest(
            DevSandbox.CLUSTER,
            FailoverMode.SWITCHOVER,
            null,
            new RunEnvelope("high", null, APPROVER, null),
            null));
    PostgresFailover run =
        stack
            .client()
            .newWorkflowStub(
                PostgresFailover.class, FailoverRequest.workflowId(DevSandbox.CLUSTER));
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (run.progress().waitingFor().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    run.approveChecked(new Decision(APPROVER, "sandbox switchover"));
    FailoverStatus done = WorkflowStub.fromTyped(run).getResult(FailoverStatus.class);

    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(done.primary()).isEqualTo(DevSandbox.PRIMARY_MEMBER);
    assertThat(done.candidate()).isEqualTo(DevSandbox.REPLICA_MEMBER);
    assertThat(
            sandbox
                .kubernetes()
                .client()
                .endpoints()
                .inNamespace(DevSandbox.NAMESPACE)
                .withName("db")
                .get()
                .getSubsets()
                .stream()
                .flatMap(subset -> subset.getAddresses().stream())
                .map(a -> a.getTargetRef().getName())
                .toList())
        .containsExactly("db-1");
    try (Connection c =
            sandbox
                .pair()
                .dataSource(dev.opsflow.sandbox.postgres.PostgresPair.Member.REPLICA)
                .getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("the replica was promoted").isFalse();
    }
  }

  @Test
  void theDemoAppAndTheModelServerServeTheSeededDeploymentsTraffic() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    await("the demo app's users reach web")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(sandbox.demo().exposition())
                    .contains(
                        "http_requests_total{code=\"200\",deployment=\""
                            + DevSandbox.WEB
                            + "\",namespace=\""
                            + DevSandbox.NAMESPACE
                            + "\"}"));
    HttpResponse<String> split =
        http.send(
            HttpRequest.newBuilder(URI.create(sandbox.demo().url() + "/split")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> v1 =
        http.send(
            HttpRequest.newBuilder(URI.create(sandbox.models().url() + "/models/v1/evaluate"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(sandbox.demo().split().share(DevSandbox.WEB)).isEqualTo(1.0);
    assertThat(sandbox.demo().split().version(DevSandbox.WEB).orElseThrow().readyReplicas())
        .isEqualTo(DevSandbox.WEB_REPLICAS);
    assertThat(split.body()).contains("\"image\" : \"" + DevSandbox.WEB_IMAGE + "\"");
    assertThat(v1.body()).contains("\"accuracy\" : 0.955");
    assertThat(sandbox.models().split().share(DevSandbox.MODEL)).isEqualTo(1.0);
    assertThat(sandbox.describe())
        .anyMatch(line -> line.startsWith("Demo app") && line.contains(sandbox.demo().url()))
        .anyMatch(line -> line.startsWith("Model server") && line.contains(sandbox.models().url()))
        .anyMatch(line -> line.startsWith("AI service") && line.contains(sandbox.ai().url()))
        .anyMatch(line -> line.startsWith("Feature flags") && line.contains(sandbox.flags().url()));
    // The prebuilt runbooks' flag service: configured for the worker, its token never shown.
    OpsflowConfig.FlagService flags =
        ConfigLoader.load(null, sandbox.settings())
            .featureFlags()
            .services()
            .get(DevSandbox.FLAG_SERVICE);
    assertThat(flags.url()).isEqualTo(sandbox.flags().url());
    assertThat(flags.token().isPresent()).isTrue();
    assertThat(String.join("\n", sandbox.describe())).doesNotContain(flags.token().reveal());
  }

  @Test
  void prometheusScrapesBothAppsAndTheWorkerIsPointedAtIt() throws Exception {
    if (SandboxPrometheus.installed().isEmpty()) {
      assertThat(sandbox.prometheus()).isEmpty();
      assertThat(sandbox.settings()).doesNotContainKey("PROMETHEUS_URL");
      assertThat(sandbox.describe())
          .anyMatch(
              line -> line.contains("INCONCLUSIVE") && line.contains("apt-get install prometheus"));
      Assumptions.abort(
          "assumption: no Prometheus at "
              + SandboxPrometheus.DEFAULT_BINARY
              + " (apt-get install prometheus); checked only that the banner says so");
    }
    String url = sandbox.prometheus().orElseThrow().url();
    assertThat(sandbox.settings()).containsEntry("PROMETHEUS_URL", url);
    assertThat(ConfigLoader.load(null, sandbox.settings()).prometheus().url()).isEqualTo(url);
    HttpClient http = HttpClient.newHttpClient();
    await("both scrape targets up")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              String up =
                  http.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      url
                                          + "/api/v1/query?query="
                                          + URLEncoder.encode(
                                              "sum(up{job=~\"demo-app|model-server\"})",
                                              StandardCharsets.UTF_8)))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body();
              assertThat(up).contains("\"2\"]");
            });
  }
}
