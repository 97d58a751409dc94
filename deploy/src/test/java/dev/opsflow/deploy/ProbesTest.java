package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.config.ConfigKey;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.worker.MetricsEndpoint;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.Ports;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The probes ask the endpoints the processes really serve: each probe's named port is the port the
 * chart configures the process to listen on, and the real worker metrics endpoint and the real
 * starter server, configured from the chart's ConfigMap, answer the probe path with 200.
 */
class ProbesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void workerProbesAskTheMetricsEndpointOnMetricsPort() throws Exception {
    for (RenderedChart chart :
        List.of(RenderedChart.withDefaults(), RenderedChart.withTestValues())) {
      int configured = Integer.parseInt(chart.environment().get(ConfigKey.METRICS_PORT.env()));
      List<String> paths = probedPaths(chart.worker(), configured);

      try (OpsflowMetrics metrics = new OpsflowMetrics();
          MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", Ports.free(), metrics)) {
        for (String path : paths) {
          assertThat(get(endpoint.port(), path).statusCode())
              .as("worker GET " + path)
              .isEqualTo(200);
        }
        assertThat(get(endpoint.port(), "/metrics").body()).contains("jvm_memory_used_bytes");
      }
    }
  }

  @Test
  void starterProbesAskTheStarterServerOnItsHttpPort() throws Exception {
    RenderedChart chart = RenderedChart.withTestValues();
    Map<String, String> env = new HashMap<>(chart.environment());
    int configured = Integer.parseInt(env.get(ConfigKey.HTTP_PORT.env()));
    List<String> paths = probedPaths(chart.starter(), configured);
    env.put(ConfigKey.ALERTS_BEARER_TOKEN.env(), "probe-test-token");
    env.keySet().removeIf(k -> k.startsWith("TEMPORAL_TLS"));
    OpsflowConfig config = ConfigLoader.load(null, env);
    assertThat(config.http().host()).isEqualTo("0.0.0.0");

    try (TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance();
        OpsflowMetrics metrics = new OpsflowMetrics();
        StarterServer server =
            StarterServer.start(
                "127.0.0.1", Ports.free(), temporal.getWorkflowClient(), metrics, config)) {
      for (String path : paths) {
        assertThat(get(server.port(), path).statusCode()).as("starter GET " + path).isEqualTo(200);
      }
      // The PodMonitor/ServiceMonitor scrape path on the same port.
      assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(200);
    }
  }

  /**
   * Readiness asks whether Temporal answers and liveness only whether the process serves: with
   * Temporal gone the starter's readiness probe fails (out of the Service) while its liveness and
   * startup probes still pass (no restart loop for an outage the restart cannot fix).
   */
  @Test
  void starterReadinessFollowsTemporalWhileLivenessDoesNot() throws Exception {
    Container container =
        RenderedChart.withTestValues()
            .starter()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    String readiness = container.getReadinessProbe().getHttpGet().getPath();
    String liveness = container.getLivenessProbe().getHttpGet().getPath();
    String startup = container.getStartupProbe().getHttpGet().getPath();
    assertThat(readiness).isEqualTo("/readyz");
    assertThat(liveness).isNotEqualTo(readiness);
    assertThat(startup).isNotEqualTo(readiness);

    OpsflowConfig config =
        ConfigLoader.load(null, Map.of(ConfigKey.ALERTS_BEARER_TOKEN.env(), "probe-test-token"));
    // A client of a Temporal that is not there (nothing listens on the port): the outage as the
    // starter sees it. That readiness passes while Temporal answers, the test above shows.
    WorkflowServiceStubs unreachable =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + Ports.free())
                .build());
    try (OpsflowMetrics metrics = new OpsflowMetrics();
        StarterServer server =
            StarterServer.start(
                "127.0.0.1",
                Ports.free(),
                WorkflowClient.newInstance(unreachable),
                metrics,
                config)) {
      HttpResponse<String> notReady = get(server.port(), readiness);
      assertThat(notReady.statusCode()).as("readiness with Temporal gone").isEqualTo(503);
      assertThat(notReady.body()).contains("Temporal is unreachable");
      assertThat(get(server.port(), liveness).statusCode()).isEqualTo(200);
      assertThat(get(server.port(), startup).statusCode()).isEqualTo(200);
    } finally {
      unreachable.shutdownNow();
    }
  }

  /**
   * Every probe of the Deployment's container, checked to be an HTTP GET on the named container
   * port that equals the port the process is configured with; returns the probed paths.
   */
  private static List<String> probedPaths(Deployment deployment, int configuredPort) {
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<Probe> probes =
        Stream.of(
                container.getStartupProbe(),
                container.getReadinessProbe(),
                container.getLivenessProbe())
            .toList();
    assertThat(probes).doesNotContainNull();
    return probes.stream()
        .map(Probe::getHttpGet)
        .map(
            get -> {
              assertThat(get).isNotNull();
              assertThat(portNumber(container, get)).isEqualTo(configuredPort);
              return get.getPath();
            })
        .distinct()
        .toList();
  }

  private static int portNumber(Container container, HTTPGetAction get) {
    if (get.getPort().getIntVal() != null) {
      return get.getPort().getIntVal();
    }
    return container.getPorts().stream()
        .filter(p -> p.getName().equals(get.getPort().getStrVal()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no container port named " + get.getPort().getStrVal()))
        .getContainerPort();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
