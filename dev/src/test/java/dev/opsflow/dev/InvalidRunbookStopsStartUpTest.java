package dev.opsflow.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.ConfigException;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.worker.Ports;
import dev.opsflow.worker.WorkerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runbook that fails validation in {@code runbooks.dir} stops the worker, the starter and the dev
 * stack before they connect to Temporal or bind a port, with the loader's FILE:LINE: step: field
 * message: a runbook that fails validation is never started.
 */
class InvalidRunbookStopsStartUpTest {
  @TempDir Path dir;
  private Path broken;
  private int temporalPort;
  private int httpPort;
  private OpsflowConfig config;

  @BeforeEach
  void folderWithABrokenRunbook() throws IOException {
    temporalPort = Ports.free();
    httpPort = Ports.free();
    Path runbooks = Files.createDirectory(dir.resolve("runbooks"));
    broken = runbooks.resolve("broken.yaml");
    Files.writeString(
        broken,
        """
        id: broken
        name: broken
        version: "1"
        startWith: probe
        steps:
          - id: probe
            type: check
            probe: http.probe
            parameters: { url: "http://svc/health" }
            onFailure: restrat
        """);
    config =
        ConfigLoader.load(
            null,
            Map.of(
                "TEMPORAL_ADDRESS",
                "127.0.0.1:" + temporalPort,
                "OPSFLOW_METRICS_PORT",
                String.valueOf(httpPort),
                "ALERTS_BEARER_TOKEN",
                "a-webhook-token",
                "RUNBOOKS_DIR",
                runbooks.toString()));
  }

  private String problem() {
    return broken + ":10: probe: onFailure: no step 'restrat' in this runbook";
  }

  @Test
  void theWorkerRefusesBeforeConnectingToTemporal() {
    assertThatThrownBy(() -> WorkerProcess.start(config, "127.0.0.1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("runbooks.dir: 1 runbook(s) in ")
        .hasMessageEndingWith(problem());
    assertThat(isFree(httpPort)).as("metrics port never bound").isTrue();
  }

  @Test
  void theStarterRefusesBeforeServingHttp() {
    assertThatThrownBy(() -> StarterServer.start("127.0.0.1", httpPort, null, null, config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RUNBOOKS_SKIP_INVALID=true")
        .hasMessageEndingWith(problem());
    assertThat(isFree(httpPort)).as("HTTP port never bound").isTrue();
  }

  @Test
  void theDevStackRefusesBeforeStartingTemporal() {
    assertThatThrownBy(() -> DevStack.start(config, "127.0.0.1", temporalPort, httpPort))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(problem());
    assertThat(isFree(temporalPort)).as("embedded Temporal never started").isTrue();
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
