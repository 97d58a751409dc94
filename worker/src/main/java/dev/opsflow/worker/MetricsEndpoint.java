package dev.opsflow.worker;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;

/**
 * {@code GET /metrics} in the Prometheus text format, and {@code GET /healthz}. A standalone worker
 * serves it on its own port; the starter mounts the same routes on its HTTP server.
 */
public final class MetricsEndpoint implements AutoCloseable {
  /** Prometheus text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Javalin server;

  private MetricsEndpoint(Javalin server) {
    this.server = server;
  }

  /** Adds /metrics and /healthz to a server being configured. */
  public static void mount(RoutesConfig routes, OpsflowMetrics metrics) {
    routes.get("/metrics", ctx -> ctx.contentType(CONTENT_TYPE).result(metrics.scrape()));
    routes.get("/healthz", ctx -> ctx.result("ok"));
  }

  public static MetricsEndpoint start(String host, int port, OpsflowMetrics metrics) {
    Ports.requireFree("The worker's metrics endpoint", host, port, "--metrics-port");
    Javalin server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  mount(cfg.routes, metrics);
                })
            .start(host, port);
    return new MetricsEndpoint(server);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
