package dev.opsflow.worker;

import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.workflows.WorkflowCatalog;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of the fleet as its own process: connects to Temporal, runs every workflow and activity,
 * and serves /metrics. Closing it drains the worker first, then releases connections.
 */
public final class WorkerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

  private final ClosingStack parts = new ClosingStack();
  private final MetricsEndpoint metricsEndpoint;

  private WorkerProcess(OpsflowConfig config, String metricsHost, StickyExecution sticky) {
    try {
      OpsflowMetrics metrics = parts.push(new OpsflowMetrics());
      TemporalConnection temporal =
          parts.push(
              TemporalConnection.connect(
                  config.temporal(), metrics.temporalScope(), Duration.ofSeconds(10)));
      ActivityCatalog activities =
          parts.push(ActivityCatalog.fromConfig(config, temporal.client()));
      parts.push(OpsflowWorker.start(temporal.client(), activities, sticky));
      metricsEndpoint =
          parts.push(MetricsEndpoint.start(metricsHost, config.metrics().port(), metrics));
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  public static WorkerProcess start(OpsflowConfig config, String metricsHost) {
    return start(config, metricsHost, StickyExecution.ON);
  }

  /**
   * @param sticky {@link StickyExecution#OFF} for a worker of the embedded dev service
   */
  public static WorkerProcess start(
      OpsflowConfig config, String metricsHost, StickyExecution sticky) {
    config.requireKnownProcedures(WorkflowCatalog.typeNames());
    // An invalid runbook stops the start here, before anything connects (runbooks.skipInvalid).
    RunbookFolder.load(config.runbooks(), RunbookFolder.builtInIds(WorkflowCatalog.typeNames()));
    WorkerProcess process = new WorkerProcess(config, metricsHost, sticky);
    log.info(
        "Worker connected to {} (namespace {}); metrics on http://{}:{}/metrics",
        config.temporal().address(),
        config.temporal().namespace(),
        metricsHost,
        process.metricsEndpoint.port());
    return process;
  }

  /** The port /metrics is served on (useful when configured as 0). */
  public int metricsPort() {
    return metricsEndpoint.port();
  }

  @Override
  public void close() {
    parts.close();
  }
}
