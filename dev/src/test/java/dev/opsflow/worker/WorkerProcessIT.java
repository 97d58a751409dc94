package dev.opsflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A standalone worker (what `opsflow worker` runs) against a Temporal frontend it did not start.
 */
class WorkerProcessIT {
  @Test
  void standaloneWorkerRunsWorkflowsAndServesMetrics() throws Exception {
    try (EmbeddedTemporalService temporal = EmbeddedTemporalService.start("127.0.0.1", 0)) {
      OpsflowConfig config =
          ConfigLoader.load(
              null, Map.of("TEMPORAL_ADDRESS", temporal.target(), "OPSFLOW_METRICS_PORT", "0"));
      try (WorkerProcess worker = WorkerProcess.start(config, "127.0.0.1");
          TemporalConnection client =
              TemporalConnection.connect(config.temporal(), null, Duration.ofSeconds(5))) {
        WorkflowStub stub =
            client
                .client()
                .newUntypedWorkflowStub(
                    "ConnectivityCheck",
                    WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.OPERATIONS)
                        .setWorkflowId("worker-it")
                        .build());
        stub.start(Map.of("systems", java.util.List.of("temporal")));
        Map<?, ?> report = stub.getResult(30, TimeUnit.SECONDS, Map.class);
        assertThat(report.get("allReachable")).isEqualTo(true);

        HttpResponse<String> metrics =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + worker.metricsPort() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("temporal_", "jvm_threads_live_threads");
      }
    }
  }

  @Test
  void unreachableTemporalFailsFastWithTheAddress() {
    int port = Ports.free();
    OpsflowConfig config =
        ConfigLoader.load(
            null, Map.of("TEMPORAL_ADDRESS", "127.0.0.1:" + port, "OPSFLOW_METRICS_PORT", "0"));
    assertThatThrownBy(() -> WorkerProcess.start(config, "127.0.0.1"))
        .isInstanceOf(TemporalUnavailableException.class)
        .hasMessageContaining("cannot reach Temporal at 127.0.0.1:" + port);
  }
}
