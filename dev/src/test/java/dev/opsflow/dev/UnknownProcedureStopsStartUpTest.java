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
 * A typo under {@code procedures:} stops the worker, the starter and the dev stack before they
 * connect to Temporal or bind a port: the approval it was meant to require must not go missing
 * silently.
 */
class UnknownProcedureStopsStartUpTest {
  private static final String REFUSAL =
      "procedures.CrashLoopRemediaton: unknown workflow type (did you mean CrashLoopRemediation?)";

  @TempDir Path dir;
  private int temporalPort;
  private int httpPort;
  private OpsflowConfig config;

  @BeforeEach
  void configWithATypo() throws IOException {
    temporalPort = Ports.free();
    httpPort = Ports.free();
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(
        file,
        """
        procedures:
          CrashLoopRemediaton:
            approval: {approvers: [alice]}
        """);
    config =
        ConfigLoader.load(
            file,
            Map.of(
                "TEMPORAL_ADDRESS",
                "127.0.0.1:" + temporalPort,
                "OPSFLOW_METRICS_PORT",
                String.valueOf(httpPort),
                "ALERTS_BEARER_TOKEN",
                "a-webhook-token"));
  }

  @Test
  void theWorkerRefusesBeforeConnectingToTemporal() {
    // Temporal is not running there: a connection attempt would fail with TemporalUnavailable.
    assertThatThrownBy(() -> WorkerProcess.start(config, "127.0.0.1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(REFUSAL);
    assertThat(isFree(httpPort)).as("metrics port never bound").isTrue();
  }

  @Test
  void theStarterRefusesBeforeServingHttp() {
    // No client at all: the check must come before anything uses one.
    assertThatThrownBy(() -> StarterServer.start("127.0.0.1", httpPort, null, null, config))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(REFUSAL);
    assertThat(isFree(httpPort)).as("HTTP port never bound").isTrue();
  }

  @Test
  void theDevStackRefusesBeforeStartingTemporal() {
    assertThatThrownBy(() -> DevStack.start(config, "127.0.0.1", temporalPort, httpPort))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(REFUSAL);
    assertThat(isFree(temporalPort)).as("embedded Temporal never started").isTrue();
    assertThat(isFree(httpPort)).as("HTTP port never bound").isTrue();
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
