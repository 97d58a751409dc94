package dev.opsflow.starter;

import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.alerts.AlertRouter;
import dev.opsflow.starter.alerts.AlertWebhook;
import dev.opsflow.starter.alerts.FailoverTrigger;
import dev.opsflow.starter.alerts.RunbookTrigger;
import dev.opsflow.starter.alerts.WebhookAuth;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.starter.api.RestApi;
import dev.opsflow.starter.http.RequestBody;
import dev.opsflow.starter.http.TemporalDeadline;
import dev.opsflow.starter.slack.SlackInteractions;
import dev.opsflow.worker.MetricsEndpoint;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.Ports;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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
  private final AlertWebhook alerts;

  /**
   * Webhook bodies read at once. Its callers authenticated first, so this only keeps a burst of
   * large notifications from holding every thread; beyond it the answer is 503 and Alertmanager
   * retries.
   */
  private static final int WEBHOOK_READS = 64;

  private StarterServer(Javalin server, String host, Executions executions, AlertWebhook alerts) {
    this.server = server;
    this.host = host;
    this.executions = executions;
    this.alerts = alerts;
  }

  public static StarterServer start(
      String host, int port, WorkflowClient client, OpsflowMetrics metrics, OpsflowConfig config) {
    config.requireKnownProcedures(WorkflowCatalog.typeNames());
    // Before anything binds or connects: an invalid runbook in the folder stops the start, unless
    // runbooks.skipInvalid (then it is absent, and logged).
    RunbookFolder runbooks =
        RunbookFolder.load(
            config.runbooks(), RunbookFolder.builtInIds(WorkflowCatalog.typeNames()));
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
            new AlertRouter(
                config.alerts().routes(), WorkflowCatalog.remediationTypeNames(), runbooks),
            new RemediationDispatcher(client, TaskQueues.OPERATIONS),
            config.healing().actionCooldown().toMillis(),
            metrics.registry(),
            new RequestBody(
                config.http().maxBodyBytes(), config.http().bodyTimeout(), WEBHOOK_READS),
            new TemporalDeadline(config.http().temporalDeadline()),
            config.http().maxAlerts(),
            config.http().noticeWindow(),
            new FailoverTrigger(
                client, TaskQueues.OPERATIONS, config.failover().clusters().keySet()),
            new RunbookTrigger(client, TaskQueues.OPERATIONS));
    Executions executions = new Executions(client);
    OpsflowConfig.Http limits = config.http();
    Readiness readiness =
        new Readiness(client, limits.temporalDeadline(), System::currentTimeMillis);
    Javalin server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.http.maxRequestSize = limits.maxBodyBytes();
                  cfg.jetty.threadPool = threadPool();
                  cfg.jetty.addConnector(
                      (jetty, http) -> connector(jetty, http, host, port, limits));
                  MetricsEndpoint.mount(cfg.routes, metrics);
                  cfg.routes.get("/readyz", readiness::handle);
                  cfg.routes.post("/alerts", alerts::handle);
                  SlackInteractions.mount(cfg.routes, client, config.slack(), limits);
                  RestApi.fromConfig(
                          executions,
                          config.api(),
                          limits,
                          config.failover().clusters().keySet(),
                          runbooks)
                      .mount(cfg.routes);
                  // HEAD would otherwise be answered from a GET route without running its
                  // authentication: only the open probes answer it.
                  cfg.routes.before(
                      ctx -> {
                        if (ctx.method() == HandlerType.HEAD && !OPEN.contains(ctx.path())) {
                          ctx.header("Allow", "GET");
                          throw new ClientError(405, "HEAD is not served here; use GET");
                        }
                      });
                  cfg.routes.exception(ClientError.class, StarterServer::refuse);
                  cfg.routes.exception(RequestBody.Refused.class, StarterServer::refuse);
                  cfg.routes.exception(
                      HttpResponseException.class,
                      (e, ctx) ->
                          ctx.status(e.getStatus())
                              .json(Map.of("error", String.valueOf(e.getMessage()))));
                  // Anything unexpected is a 5xx (Alertmanager retries those) with a reason, logged
                  // once.
                  cfg.routes.exception(
                      Exception.class,
                      (e, ctx) -> {
                        if (clientsFault(e)) {
                          log.debug("{} {}: unreadable request ({})", ctx.method(), ctx.path(), e);
                          ctx.status(400).json(Map.of("error", "the request could not be read"));
                          return;
                        }
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
                                              "/readyz",
                                              "/metrics",
                                              "POST /alerts",
                                              "POST /slack/interactions"),
                                          RestApi.endpoints().stream())
                                      .toList())));
                })
            .start();
    return new StarterServer(server, host, executions, alerts);
  }

  /** Paths any client may ask without credentials, HEAD included (probes, the index, scrapes). */
  private static final Set<String> OPEN = Set.of("/", "/healthz", "/readyz", "/metrics");

  /** A refusal a handler or filter throws: its status and reason go back as JSON. */
  static final class ClientError extends RuntimeException {
    final int status;

    ClientError(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  private static void refuse(RuntimeException e, io.javalin.http.Context ctx) {
    int status = e instanceof ClientError c ? c.status : ((RequestBody.Refused) e).status();
    ctx.status(status).json(Map.of("error", e.getMessage()));
  }

  /**
   * A request the client broke (a body cut off, a malformed chunk, a charset Java does not know): a
   * 400, never a 500 with a stack trace per request.
   */
  private static boolean clientsFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException
          || t instanceof java.nio.charset.IllegalCharsetNameException
          || t instanceof java.nio.charset.UnsupportedCharsetException
          || t instanceof org.eclipse.jetty.http.BadMessageException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Bounded threads: slow or hostile clients can hold at most this many, and {@link RequestBody}
   * bounds how long each is held.
   */
  private static QueuedThreadPool threadPool() {
    QueuedThreadPool pool = new QueuedThreadPool(200, 8, 60_000);
    pool.setName("opsflow-http");
    return pool;
  }

  /**
   * The listening connector with the idle timeout and the connection limit: past the limit Jetty
   * stops accepting (new clients wait in the backlog) and shortens idle connections' timeout, so
   * slow clients are shed first.
   */
  private static ServerConnector connector(
      Server jetty, HttpConfiguration http, String host, int port, OpsflowConfig.Http limits) {
    http.setSendServerVersion(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.maxConnections(), connector);
    limit.setEndPointIdleTimeout(Math.min(2_000, limits.idleTimeout().toMillis()));
    connector.addBean(limit);
    connector.addBean(new ShedWhileFull(limit));
    return connector;
  }

  /**
   * Jetty shortens the idle timeout of the connections open when the limit is reached, but a burst
   * reaches it with its connections still being set up, and those then open with the full idle
   * timeout: kept alive and idle, they held every slot for {@code http.idleTimeout} (30 s) while
   * new connections waited in the backlog past Alertmanager's 10 s. A connection that opens while
   * the limit is reached gets the short timeout too. While a request is handled the configured idle
   * timeout applies (a request may wait on Temporal); between requests the short one.
   */
  private static final class ShedWhileFull implements org.eclipse.jetty.io.Connection.Listener {
    private final NetworkConnectionLimit limit;

    ShedWhileFull(NetworkConnectionLimit limit) {
      this.limit = limit;
    }

    @Override
    public void onOpened(org.eclipse.jetty.io.Connection connection) {
      if (limit.getNetworkConnectionCount() + limit.getPendingNetworkConnectionCount()
          >= limit.getMaxNetworkConnectionCount()) {
        connection.getEndPoint().setIdleTimeout(limit.getEndPointIdleTimeout());
      }
    }
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
    alerts.close();
    executions.close();
  }
}
