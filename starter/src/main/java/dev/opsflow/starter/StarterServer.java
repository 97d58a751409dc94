package dev.opsflow.starter;

import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.alerts.AlertRouter;
import dev.opsflow.starter.alerts.AlertWebhook;
import dev.opsflow.starter.alerts.WebhookAuth;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.starter.api.RestApi;
import dev.opsflow.starter.slack.SlackInteractions;
import dev.opsflow.worker.MetricsEndpoint;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.Ports;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.javalin.Javalin;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The starter's HTTP server: health, metrics, the Alertmanager webhook and the REST API. Handlers
 * parse, authorise and start or signal workflows; decisions live in workflows.
 */
public final class StarterServer implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(StarterServer.class);
  private final Javalin server;
  private final String host;

  private final Executions executions;

  private StarterServer(Javalin server, String host, Executions executions) {
    this.server = server;
    this.host = host;
    this.executions = executions;
  }

  public static StarterServer start(
      String host, int port, WorkflowClient client, OpsflowMetrics metrics, OpsflowConfig config) {
    config.requireKnownProcedures(WorkflowCatalog.typeNames());
    if (!config.alerts().authConfigured()) {
      throw new ConfigException(
          "alerts",
          "POST /alerts needs credentials: set ALERTS_BEARER_TOKEN (or ALERTS_BASIC_USER and"
              + " ALERTS_BASIC_PASSWORD), as in Alertmanager's http_config");
    }
    Ports.requireFree("The starter's HTTP server", host, port, "--http-port");
    AlertWebhook alerts =
        new AlertWebhook(
            new WebhookAuth(config.alerts()),
            new AlertRouter(config.alerts().routes(), WorkflowCatalog.remediationTypeNames()),
            new RemediationDispatcher(client, TaskQueues.OPERATIONS),
            config.healing().actionCooldown().toMillis(),
            metrics.registry());
    Executions executions = new Executions(client);
    Javalin server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  MetricsEndpoint.mount(cfg.routes, metrics);
                  cfg.routes.post("/alerts", alerts::handle);
                  SlackInteractions.mount(cfg.routes, client, config.slack());
                  RestApi.fromConfig(executions, config.api()).mount(cfg.routes);
                  // Anything unexpected is a 5xx (Alertmanager retries those) with a reason, logged
                  // once.
                  cfg.routes.exception(
                      Exception.class,
                      (e, ctx) -> {
                        log.error("{} {} failed", ctx.method(), ctx.path(), e);
                        ctx.status(500)
                            .json(
                                Map.of(
                                    "error",
                                    "internal error ("
                                        + e.getClass().getSimpleName()
                                        + "); retry later"));
                      });
                  cfg.routes.get(
                      "/",
                      ctx ->
                          ctx.json(
                              Map.of(
                                  "service",
                                  "opsflow starter",
                                  "namespace",
                                  client.getOptions().getNamespace(),
                                  "endpoints",
                                  Stream.concat(
                                          Stream.of(
                                              "/healthz",
                                              "/metrics",
                                              "POST /alerts",
                                              "POST /slack/interactions"),
                                          RestApi.endpoints().stream())
                                      .toList())));
                })
            .start(host, port);
    return new StarterServer(server, host, executions);
  }

  public int port() {
    return server.port();
  }

  public String url() {
    return "http://" + host + ":" + port();
  }

  @Override
  public void close() {
    server.stop();
    executions.close();
  }
}
