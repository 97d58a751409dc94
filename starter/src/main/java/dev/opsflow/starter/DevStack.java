package dev.opsflow.starter;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.EmbeddedTemporalService;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.OpsflowWorker;
import dev.opsflow.worker.Ports;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.List;

/**
 * Everything in one process for a laptop: the embedded Temporal service, the worker and the
 * starter's HTTP server (with /metrics). State is in memory only; see {@link
 * EmbeddedTemporalService}.
 */
public final class DevStack implements AutoCloseable {

  private final ClosingStack parts = new ClosingStack();
  private final EmbeddedTemporalService temporal;
  private final TemporalConnection connection;
  private final OpsflowWorker worker;
  private final StarterServer starter;
  private final OpsflowMetrics metrics;

  private DevStack(OpsflowConfig config, String host, int temporalPort, int httpPort) {
    // Check both ports before starting anything, so a clash leaves nothing half-started.
    Ports.requireFree("The embedded Temporal service", host, temporalPort, "--temporal-port");
    Ports.requireFree("The starter's HTTP server", host, httpPort, "--http-port");
    try {
      temporal = parts.push(EmbeddedTemporalService.start(host, temporalPort));
      OpsflowConfig local =
          config.withTemporal(
              new OpsflowConfig.Temporal(
                  temporal.target(),
                  config.temporal().namespace(),
                  new OpsflowConfig.Tls(false, "", "", "", "")));
      metrics = parts.push(new OpsflowMetrics());
      connection =
          parts.push(
              TemporalConnection.connect(
                  local.temporal(), metrics.temporalScope(), Duration.ofSeconds(10)));
      ActivityCatalog activities = parts.push(ActivityCatalog.fromConfig(local));
      worker = parts.push(OpsflowWorker.start(connection.client(), activities));
      starter = parts.push(StarterServer.start(host, httpPort, connection.client(), metrics));
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  public static DevStack start(OpsflowConfig config, String host, int temporalPort, int httpPort) {
    return new DevStack(config, host, temporalPort, httpPort);
  }

  public String temporalTarget() {
    return temporal.target();
  }

  public String httpUrl() {
    return starter.url();
  }

  public WorkflowClient client() {
    return connection.client();
  }

  public OpsflowMetrics metrics() {
    return metrics;
  }

  public List<String> taskQueues() {
    return worker.taskQueues();
  }

  /** Stops HTTP first, then drains the worker, then the connection and the embedded service. */
  @Override
  public void close() {
    parts.close();
  }
}
