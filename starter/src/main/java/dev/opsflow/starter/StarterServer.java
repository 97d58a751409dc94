package dev.opsflow.starter;

import dev.opsflow.worker.MetricsEndpoint;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.Ports;
import io.javalin.Javalin;
import io.temporal.client.WorkflowClient;
import java.util.Map;

/**
 * The starter's HTTP server: health, metrics, and (as they are added) the Alertmanager webhook and
 * the REST API. Handlers parse, authorise and start or signal workflows; decisions live in
 * workflows.
 */
public final class StarterServer implements AutoCloseable {
  private final Javalin server;
  private final String host;

  private StarterServer(Javalin server, String host) {
    this.server = server;
    this.host = host;
  }

  public static StarterServer start(
      String host, int port, WorkflowClient client, OpsflowMetrics metrics) {
    Ports.requireFree("The starter's HTTP server", host, port, "--http-port");
    Javalin server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  MetricsEndpoint.mount(cfg.routes, metrics);
                  cfg.routes.get(
                      "/",
                      ctx ->
                          ctx.json(
                              Map.of(
                                  "service", "opsflow starter",
                                  "namespace", client.getOptions().getNamespace(),
                                  "endpoints", java.util.List.of("/healthz", "/metrics"))));
                })
            .start(host, port);
    return new StarterServer(server, host);
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
  }
}
