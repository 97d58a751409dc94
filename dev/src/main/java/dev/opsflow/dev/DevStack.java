package dev.opsflow.dev;

import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.starter.WatchdogLauncher;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.OpsflowWorker;
import dev.opsflow.worker.Ports;
import dev.opsflow.worker.StickyExecution;
import dev.opsflow.worker.TemporalConnection;
import dev.opsflow.workflows.WorkflowCatalog;
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
  private OpsflowConfig.Alerts alertsAuth;
  private OpsflowConfig.Api api;
  private List<String> watchdogs;

  /**
   * The webhook token used when none is configured. The dev stack listens on loopback only and
   * prints it, so the README's curl examples work as they are.
   */
  public static final String DEV_WEBHOOK_TOKEN = "opsflow-dev";

  /**
   * The REST API's admin caller when none is configured; its token is {@link #DEV_WEBHOOK_TOKEN}.
   */
  public static final String DEV_API_CALLER = "dev";

  private DevStack(OpsflowConfig config, String host, int temporalPort, int httpPort) {
    config.requireKnownProcedures(WorkflowCatalog.typeNames());
    // An invalid runbook stops the stack before the embedded service starts (the starter loads the
    // folder again for its door).
    RunbookFolder.load(config.runbooks(), RunbookFolder.builtInIds(WorkflowCatalog.typeNames()));
    // Check both ports before starting anything, so a clash leaves nothing half-started.
    Ports.requireFree("The embedded Temporal service", host, temporalPort, "--temporal-port");
    Ports.requireFree("The starter's HTTP server", host, httpPort, "--http-port");
    try {
      temporal = parts.push(EmbeddedTemporalService.start(host, temporalPort));
      OpsflowConfig local =
          withDevTokens(
              config.withTemporal(
                  new OpsflowConfig.Temporal(
                      temporal.target(),
                      config.temporal().namespace(),
                      new OpsflowConfig.Tls(false, "", "", "", ""))));
      alertsAuth = local.alerts();
      api = local.api();
      metrics = parts.push(new OpsflowMetrics());
      connection =
          parts.push(
              TemporalConnection.connect(
                  local.temporal(), metrics.temporalScope(), Duration.ofSeconds(10)));
      ActivityCatalog activities =
          parts.push(ActivityCatalog.fromConfig(local, connection.client()));
      // The embedded service strands tasks on a dead worker's sticky queue; see StickyExecution.
      worker =
          parts.push(OpsflowWorker.start(connection.client(), activities, StickyExecution.OFF));
      starter =
          parts.push(StarterServer.start(host, httpPort, connection.client(), metrics, local));
      watchdogs = WatchdogLauncher.ensureRunning(connection.client(), local);
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /**
   * Where nothing is configured, the webhook takes {@link #DEV_WEBHOOK_TOKEN} and the REST API has
   * one admin caller, {@link #DEV_API_CALLER}, with the same token.
   */
  private static OpsflowConfig withDevTokens(OpsflowConfig config) {
    OpsflowConfig local = config;
    if (!local.alerts().authConfigured()) {
      local = local.withAlerts(local.alerts().withBearerToken(Secret.of(DEV_WEBHOOK_TOKEN)));
    }
    if (!local.api().configured()) {
      local =
          local.withApi(
              local
                  .api()
                  .withCallers(
                      List.of(
                          new OpsflowConfig.ApiCaller(
                              DEV_API_CALLER, "admin", Secret.of(DEV_WEBHOOK_TOKEN)))));
    }
    return local;
  }

  /** True when the REST API has only the dev admin caller (nothing was configured). */
  public boolean usesDevApiToken() {
    return api.callers().size() == 1 && api.callers().get(0).name().equals(DEV_API_CALLER);
  }

  /** True when the webhook uses {@link #DEV_WEBHOOK_TOKEN} (nothing was configured). */
  public boolean usesDevWebhookToken() {
    return alertsAuth.bearerToken().reveal().equals(DEV_WEBHOOK_TOKEN);
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

  /** IDs of the watchdog workflows this stack made sure are running. */
  public List<String> watchdogs() {
    return watchdogs;
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
