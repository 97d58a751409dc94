package dev.opsflow.sandbox.traffic;

import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The conventional HTTP server metrics, as the built-in rollout checks read them ({@code
 * dev.opsflow.contracts.rollout.BuiltInChecks}): the counter {@value #REQUESTS} by {@code
 * namespace}, {@code deployment} and status {@code code}, and the histogram {@value #DURATION} (in
 * seconds) by {@code namespace} and {@code deployment}. Each server has its own registry, so a test
 * can run several.
 */
public final class RequestMetrics {
  /** Must equal {@code BuiltInChecks.REQUESTS} (the sandbox does not depend on the contracts). */
  public static final String REQUESTS = "http_requests_total";

  /** Must equal {@code BuiltInChecks.DURATION}. */
  public static final String DURATION = "http_request_duration_seconds";

  // Without exemplars: they need a tracer, which a sandbox has none of.
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests =
      Counter.builder()
          .name(REQUESTS)
          .help("Requests served, by the Deployment that served them and the status code.")
          .labelNames("namespace", "deployment", "code")
          .withoutExemplars()
          .register(registry);
  private final Histogram duration =
      Histogram.builder()
          .name(DURATION)
          .help("Time to serve a request, by the Deployment that served it.")
          .labelNames("namespace", "deployment")
          .classicOnly()
          .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .withoutExemplars()
          .register(registry);

  /** One served request. */
  public void record(String namespace, String deployment, int code, double seconds) {
    requests.labelValues(namespace, deployment, Integer.toString(code)).inc();
    duration.labelValues(namespace, deployment).observe(seconds);
  }

  /** Where a server adds metrics of its own, exposed on the same page. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Everything in the registry, in the Prometheus text format (0.0.4). */
  public String exposition() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A {@code GET /metrics} handler. */
  public HttpHandler handler() {
    return exchange -> {
      byte[] body = exposition().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    };
  }
}
