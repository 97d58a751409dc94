package dev.opsflow.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.worker.PortInUseException;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Boots the whole dev stack in-process on free ports and drives it like a user would. */
class DevStackIT {
  private static DevStack stack;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    stack = DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(stack.httpUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void workflowStartedByTypeNameWithJsonRunsOnTheWorkerAndShowsInMetrics() throws Exception {
    // What tctl / temporal CLI do: an untyped stub, the type name, plain JSON input.
    JsonNode input = new ObjectMapper().readTree("{\"systems\":[\"temporal\"]}");
    WorkflowStub stub =
        stack
            .client()
            .newUntypedWorkflowStub(
                "ConnectivityCheck",
                WorkflowOptions.newBuilder()
                    .setWorkflowId("it-connectivity")
                    .setTaskQueue(TaskQueues.OPERATIONS)
                    .build());
    stub.start(input);
    JsonNode report = stub.getResult(30, TimeUnit.SECONDS, JsonNode.class);

    assertThat(report.get("results")).hasSize(1);
    assertThat(report.at("/results/0/system").asText()).isEqualTo("temporal");
    assertThat(report.at("/results/0/endpoint").asText()).isEqualTo(stack.temporalTarget());
    assertThat(report.at("/results/0/reachable").asBoolean()).isTrue();
    assertThat(report.get("allReachable").asBoolean()).isTrue();

    // Other tests in this class run ConnectivityCheck too, so the counts are at least 1.
    // Tally reports to Micrometer every second, so the counters show up shortly after completion.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<String> metrics = get("/metrics");
              assertThat(metrics.statusCode()).isEqualTo(200);
              assertThat(metrics.headers().firstValue("Content-Type").orElse(""))
                  .startsWith("text/plain");
              assertThat(metrics.body())
                  .containsPattern(
                      "(?m)^temporal_workflow_completed_total\\{.*workflow_type=\"ConnectivityCheck\".*\\} [1-9][0-9]*\\.0$")
                  .containsPattern(
                      "(?m)^temporal_activity_execution_latency_seconds_count\\{.*activity_type=\"Probe\".*\\} [1-9][0-9]*$")
                  .contains("jvm_memory_used_bytes");
            });
  }

  @Test
  void theRestApiStartsARunbookByIdWithTheDevTokenAndReadsItBack() throws Exception {
    ObjectMapper json = new ObjectMapper();
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/api/runbooks/execute"))
                .header("Authorization", "Bearer " + DevStack.DEV_WEBHOOK_TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"runbookId\":\"connectivity-check\",\"context\":{\"systems\":[\"temporal\"]},"
                            + "\"async\":false,\"timeoutSeconds\":30}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    JsonNode done = json.readTree(started.body());
    assertThat(done.get("workflowType").asText()).isEqualTo("ConnectivityCheck");
    assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(done.at("/result/allReachable").asBoolean()).isTrue();
    assertThat(done.get("requestedBy").asText()).isEqualTo(DevStack.DEV_API_CALLER);

    HttpResponse<String> read =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        stack.httpUrl()
                            + "/api/runbooks?executionId="
                            + done.get("executionId").asText()))
                .header("Authorization", "Bearer " + DevStack.DEV_WEBHOOK_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    JsonNode view = json.readTree(read.body());
    assertThat(view.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(view.at("/context/systems/0").asText()).isEqualTo("temporal");
    assertThat(view.get("startTime").asText()).isNotBlank();

    assertThat(get("/api/runbooks").statusCode()).isEqualTo(401);
  }

  @Test
  void healthEndpointAnswers() throws Exception {
    HttpResponse<String> health = get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");
  }

  @Test
  void aTakenPortIsRefusedWithAClearMessageAndNothingIsLeftRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", port, 0))
          .isInstanceOf(PortInUseException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("--temporal-port");
      int free = freePort();
      assertThatThrownBy(() -> DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", free, port))
          .isInstanceOf(PortInUseException.class)
          .hasMessageContaining("--http-port");
      // The Temporal port checked first was not left bound by the failed start.
      try (ServerSocket again = new ServerSocket(free, 1, InetAddress.getLoopbackAddress())) {
        assertThat(again.getLocalPort()).isEqualTo(free);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
