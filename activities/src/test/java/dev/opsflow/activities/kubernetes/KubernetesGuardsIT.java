package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guards in front of every Kubernetes call, against fabric8's CRUD mock server with nothing
 * else talking to it: illegal names and actions beyond the worker's hard limits are refused before
 * any request reaches the server (its request count does not move), and every write names {@code
 * opsflow} as its field manager.
 */
class KubernetesGuardsIT {
  private static final String NS = "demo";
  private static CrudApiServer api;
  private static KubernetesActivitiesImpl activities;

  @BeforeAll
  static void start() {
    api = new CrudApiServer();
    api.namespace(NS);
    api.namespace("prod");
    api.deployment("prod", "orders-consumer");
    api.deployment(NS, "orders-consumer");
    api.deployment(NS, "checkout");
    api.service(NS, "db", Map.of("app", "db", "role", "primary"));
    activities =
        new KubernetesActivitiesImpl(
            api.client, new NamespaceAllowList(List.of(NS, "prod")), new HardLimits(10, "8Gi"));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** Names that would change the URL path, forge a line, or overflow a bound. */
  static Stream<String> hostileNames() {
    return Stream.of(
        "../../prod/deployments/orders-consumer",
        "a/b",
        "..",
        "orders%2Fconsumer",
        "orders\r\nX-Forged: yes",
        "\u001b[31morders",
        "a".repeat(300));
  }

  /** Selectors that are not label selectors, or whose values would do the same. */
  static Stream<String> hostileSelectors() {
    return Stream.of(
        "app=../../prod",
        "app=web/x",
        "app=%2F",
        "app=web\r\nX-Forged: yes",
        "app=" + "a".repeat(300),
        "app in (web",
        "app=web,,tier=db",
        "app>3");
  }

  /**
   * Runs {@code call}, which must be refused as InvalidName naming {@code field}, and proves no
   * request reached the API server meanwhile.
   */
  private static void refusedBeforeAnyRequest(String field, Runnable call) {
    int before = api.server.getRequestCount();
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("refused").isNotNull();
    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_NAME);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).startsWith(field + " ").doesNotContain("\r", "\n");
    assertThat(failure.getOriginalMessage().length()).isLessThan(400);
    assertThat(api.server.getRequestCount()).as("requests to the API server").isEqualTo(before);
  }

  private static ApplicationFailure failure(Runnable call) {
    return catchThrowableOfType(ApplicationFailure.class, call::run);
  }

  @Test
  void aTraversalDeploymentNameInAnAllowedNamespaceSendsNothing() {
    String traversal = "../../prod/deployments/orders-consumer";
    refusedBeforeAnyRequest("name", () -> activities.getDeployment(NS, traversal));
    refusedBeforeAnyRequest(
        "name", () -> activities.scaleDeployment(new ScaleRequest("t", NS, traversal, 0)));
    refusedBeforeAnyRequest("namespace", () -> activities.getDeployment("a/b", "c"));
    refusedBeforeAnyRequest(
        "namespace", () -> activities.scaleDeployment(new ScaleRequest("t", "a/b", "c", 0)));
    assertThat(
            api.client
                .apps()
                .deployments()
                .inNamespace("prod")
                .withName("orders-consumer")
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("hostileNames")
  void deploymentReadsRefuseAHostileName(String hostile) {
    refusedBeforeAnyRequest("namespace", () -> activities.getDeployment(hostile, "checkout"));
    refusedBeforeAnyRequest("name", () -> activities.getDeployment(NS, hostile));
    refusedBeforeAnyRequest("namespace", () -> activities.waitForRollout(hostile, "checkout", 1));
    refusedBeforeAnyRequest("name", () -> activities.waitForRollout(NS, hostile, 1));
    refusedBeforeAnyRequest(
        "namespace", () -> activities.inspectDeployment(hostile, "orders-consumer"));
    refusedBeforeAnyRequest("deployment", () -> activities.inspectDeployment(NS, hostile));
  }

  @ParameterizedTest
  @MethodSource("hostileNames")
  void scaleAndRestartRefuseAHostileName(String hostile) {
    refusedBeforeAnyRequest(
        "namespace",
        () -> activities.scaleDeployment(new ScaleRequest("t", hostile, "checkout", 2)));
    refusedBeforeAnyRequest(
        "name", () -> activities.scaleDeployment(new ScaleRequest("t", NS, hostile, 2)));
    refusedBeforeAnyRequest(
        "namespace", () -> activities.rolloutRestart(new RestartRequest("t", hostile, "checkout")));
    refusedBeforeAnyRequest(
        "name", () -> activities.rolloutRestart(new RestartRequest("t", NS, hostile)));
  }

  @ParameterizedTest
  @MethodSource("hostileNames")
  void setContainerMemoryRefusesAHostileName(String hostile) {
    refusedBeforeAnyRequest(
        "namespace",
        () ->
            activities.setContainerMemory(
                new MemoryRequest("t", hostile, "checkout", "app", "256Mi", "1Gi")));
    refusedBeforeAnyRequest(
        "deployment",
        () ->
            activities.setContainerMemory(
                new MemoryRequest("t", NS, hostile, "app", "256Mi", "1Gi")));
    refusedBeforeAnyRequest(
        "container",
        () ->
            activities.setContainerMemory(
                new MemoryRequest("t", NS, "checkout", hostile, "256Mi", "1Gi")));
  }

  @ParameterizedTest
  @MethodSource("hostileNames")
  void podsAndExecRefuseAHostileNamespaceOrContainer(String hostile) {
    refusedBeforeAnyRequest("namespace", () -> activities.listPods(hostile, "app=checkout"));
    refusedBeforeAnyRequest(
        "namespace",
        () ->
            activities.execInPods(
                new ExecRequest("t", hostile, "app=checkout", "app", List.of("df"), 5)));
    refusedBeforeAnyRequest(
        "container",
        () ->
            activities.execInPods(
                new ExecRequest("t", NS, "app=checkout", hostile, List.of("df"), 5)));
  }

  @ParameterizedTest
  @MethodSource("hostileSelectors")
  void podsAndExecRefuseAHostileSelector(String hostile) {
    refusedBeforeAnyRequest("labelSelector", () -> activities.listPods(NS, hostile));
    refusedBeforeAnyRequest(
        "labelSelector",
        () -> activities.execInPods(new ExecRequest("t", NS, hostile, "app", List.of("df"), 5)));
  }

  @ParameterizedTest
  @MethodSource("hostileNames")
  void patchServiceSelectorRefusesAHostileNameKeyOrValue(String hostile) {
    refusedBeforeAnyRequest(
        "namespace",
        () ->
            activities.patchServiceSelector(
                new ServicePatch("t", hostile, "db", Map.of("app", "db"))));
    refusedBeforeAnyRequest(
        "service",
        () ->
            activities.patchServiceSelector(
                new ServicePatch("t", NS, hostile, Map.of("app", "db"))));
    refusedBeforeAnyRequest(
        "selector key",
        () ->
            activities.patchServiceSelector(
                new ServicePatch("t", NS, "db", Map.of(hostile + "/x/y", "db"))));
    refusedBeforeAnyRequest(
        "selector[app]",
        () ->
            activities.patchServiceSelector(
                new ServicePatch("t", NS, "db", Map.of("app", hostile))));
  }

  @Test
  void theRefusalNamesTheFieldAndShowsTheValueEscaped() {
    ApplicationFailure failure =
        failure(() -> activities.getDeployment(NS, "web\r\n\u001b[31mINFO forged"));
    assertThat(failure.getOriginalMessage())
        .startsWith("name 'web\\r\\n\\u001B[31mINFO forged' is not valid: must be a DNS-1123");
  }

  @Test
  void aCanonicalSelectorIsWhatIsSent() throws Exception {
    api.pod(NS, "checkout-1", "checkout");
    api.drain();
    List<PodInfo> pods = activities.listPods(NS, " app == checkout , tier notin ( cache ) ");
    assertThat(pods).extracting(PodInfo::name).containsExactly("checkout-1");
    List<RecordedRequest> requests = api.drain();
    assertThat(requests).hasSize(1);
    assertThat(java.net.URLDecoder.decode(requests.get(0).getPath(), "UTF-8"))
        .contains("labelSelector=app=checkout,tier notin (cache)");
  }

  private static List<RecordedRequest> patches(List<RecordedRequest> requests) {
    return requests.stream().filter(r -> "PATCH".equals(r.getMethod())).toList();
  }

  private static Consumer<RecordedRequest> byOpsflow() {
    return r ->
        assertThat(r.getPath()).contains("fieldManager=" + KubernetesActivitiesImpl.FIELD_MANAGER);
  }

  @Test
  void everyWriteNamesOpsflowAsFieldManager() throws Exception {
    api.deployment(NS, "writes");
    api.drain();

    activities.scaleDeployment(new ScaleRequest("w1", NS, "writes", 3));
    List<RecordedRequest> scale = patches(api.drain());
    activities.setContainerMemory(new MemoryRequest("w2", NS, "writes", "app", "300Mi", "600Mi"));
    List<RecordedRequest> memory = patches(api.drain());
    activities.rolloutRestart(new RestartRequest("w3", NS, "writes"));
    List<RecordedRequest> restart = patches(api.drain());
    activities.patchServiceSelector(
        new ServicePatch("w4", NS, "db", Map.of("app", "db", "role", "replica")));
    List<RecordedRequest> service = patches(api.drain());

    assertThat(scale).hasSize(1).allSatisfy(byOpsflow());
    assertThat(scale.get(0).getPath())
        .startsWith("/apis/apps/v1/namespaces/demo/deployments/writes?");
    assertThat(memory).hasSize(1).allSatisfy(byOpsflow());
    assertThat(restart).hasSize(1).allSatisfy(byOpsflow());
    assertThat(service).hasSize(1).allSatisfy(byOpsflow());
    assertThat(service.get(0).getPath()).startsWith("/api/v1/namespaces/demo/services/db?");

    var stored = api.client.apps().deployments().inNamespace(NS).withName("writes").get();
    assertThat(stored.getSpec().getReplicas()).isEqualTo(3);
    assertThat(
            stored
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits()
                .get("memory")
                .toString())
        .isEqualTo("600Mi");
  }

  @Test
  void aThousandReplicasAreRefusedAndNothingIsPatched() throws Exception {
    api.deployment(NS, "greedy");
    api.drain();

    ApplicationFailure failure =
        failure(() -> activities.scaleDeployment(new ScaleRequest("g", NS, "greedy", 1000)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("1000 replicas", "maximum of 10", "healing.maxReplicas");
    assertThat(patches(api.drain())).isEmpty();
    assertThat(
            api.client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("greedy")
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(1);
    assertThat(activities.scaleDeployment(new ScaleRequest("g", NS, "greedy", 10)).replicas())
        .as("the ceiling itself is allowed")
        .isEqualTo(10);
  }

  @Test
  void memoryAboveTheCeilingIsRefusedAndNothingIsPatched() throws Exception {
    api.deployment(NS, "hungry");
    api.drain();

    ApplicationFailure limit =
        failure(
            () ->
                activities.setContainerMemory(
                    new MemoryRequest("h", NS, "hungry", "app", "1Gi", "16Gi")));
    ApplicationFailure request =
        failure(
            () ->
                activities.setContainerMemory(
                    new MemoryRequest("h", NS, "hungry", "app", "8193Mi", "8Gi")));

    assertThat(limit.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(limit.getOriginalMessage())
        .contains("memoryLimit 16Gi", "memory ceiling of 8Gi", "healing.memoryCeiling");
    assertThat(request.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(request.getOriginalMessage()).contains("memoryRequest 8193Mi");
    assertThat(patches(api.drain())).isEmpty();
    var resources =
        api.client
            .apps()
            .deployments()
            .inNamespace(NS)
            .withName("hungry")
            .get()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getResources();
    assertThat(resources.getLimits().get("memory").toString()).isEqualTo("512Mi");
    assertThat(
            activities
                .setContainerMemory(new MemoryRequest("h", NS, "hungry", "app", "8Gi", "8Gi"))
                .changed())
        .as("the ceiling itself is allowed")
        .isTrue();
  }

  private static void expectExec(String pod, Object... messages) {
    api.server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/demo/pods/"
                + pod
                + "/exec?command=find&command=%2Fvar%2Flog%2Fapp&container=app&stdout=true&stderr=true")
        .andUpgradeToWebSocket()
        .open(messages)
        .done()
        .always();
  }

  @Test
  void execReportsANonZeroExitAndAMissingStatusAsFailures() {
    api.pod(NS, "exec-ok-1", "exec-ok");
    api.pod(NS, "exec-fails-1", "exec-fails");
    api.pod(NS, "exec-cut-1", "exec-cut");
    expectExec("exec-ok-1", new OutputStreamMessage("a.log\n"), new StatusStreamMessage(0));
    expectExec(
        "exec-fails-1",
        new OutputStreamMessage("find: '/var/log/app': Permission denied\n"),
        new StatusStreamMessage(1));
    expectExec("exec-cut-1", new OutputStreamMessage("a.log\n"));

    ExecOutput ok = exec("exec-ok");
    ExecOutput failed = exec("exec-fails");
    ExecOutput cut = exec("exec-cut");

    assertThat(ok.exitCode()).isZero();
    assertThat(ok.succeeded()).isTrue();
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.succeeded()).isFalse();
    assertThat(cut.exitCode()).isEqualTo(ExecOutput.NO_EXIT_STATUS);
    assertThat(cut.succeeded()).isFalse();
    assertThat(cut.stdout()).isEqualTo("a.log\n");
    assertThat(ExecOutput.failed(List.of(ok, failed, cut))).containsExactly(failed, cut);
  }

  private static ExecOutput exec(String app) {
    List<ExecOutput> outputs =
        activities.execInPods(
            new ExecRequest("x", NS, "app=" + app, "app", List.of("find", "/var/log/app"), 5));
    assertThat(outputs).hasSize(1);
    return outputs.get(0);
  }
}
