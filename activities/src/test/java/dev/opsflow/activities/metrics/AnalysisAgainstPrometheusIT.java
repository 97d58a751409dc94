package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The analysis measurement against a real Prometheus server (Debian's {@code prometheus} package,
 * 2.42) scraping a small HTTP server started here that exposes request counters in the Prometheus
 * text format: a stable version with 0.5% errors, a bad canary with 5% and a good one with none.
 * Skipped, saying so, when {@code /usr/bin/prometheus} is absent ({@code apt-get install
 * prometheus}; {@code .ci/run} installs it).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AnalysisAgainstPrometheusIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private static HttpServer app;
  private static Process prometheus;
  private static Path workDir;
  private static MetricsActivitiesImpl metrics;
  private static long scrapes;

  @BeforeAll
  static void startAppAndPrometheus() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(PROMETHEUS),
        "assumption: no Prometheus at "
            + PROMETHEUS
            + " (apt-get install -y prometheus); the real-Prometheus analysis test is skipped");
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext(
        "/metrics",
        exchange -> {
          byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    app.start();

    workDir = Files.createTempDirectory("opsflow-prometheus-");
    int port = freePort();
    Path config = workDir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: demo
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(app.getAddress().getPort()));
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("prometheus.log").toFile())
            .start();
    String url = "http://127.0.0.1:" + port;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await("Prometheus ready")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> ready(http, url));
    metrics = new MetricsActivitiesImpl(http, url, Duration.ofSeconds(10));
    // rate() over [1m] needs two scrapes of every series: wait until both canaries have a value
    for (String canary : new String[] {"web-bad", "web-good", "web-v1"}) {
      await("error rate of " + canary + " has data")
          .atMost(DEADLINE)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  metrics.measure(request(BuiltInChecks.errorRateBelow(0.01), canary)).phase()
                      != MeasurementPhase.INCONCLUSIVE);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (app != null) {
      app.stop(0);
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Counters that grow by 1000 requests per scrape for each version: web-v1 (stable) 5 errors,
   * web-bad 50, web-good none (so it has no 5xx series at all); web-unlabelled only errors, under a
   * label the error-rate query does not know.
   */
  private static synchronized String exposition() {
    scrapes++;
    long n = scrapes * 1000;
    return "# HELP http_requests_total Requests served.\n"
        + "# TYPE http_requests_total counter\n"
        + line("web-v1", "200", n - scrapes * 5)
        + line("web-v1", "500", scrapes * 5)
        + line("web-bad", "200", n - scrapes * 50)
        + line("web-bad", "500", scrapes * 50)
        + line("web-good", "200", n)
        // an app that labels its status "status", not "code"
        + "http_requests_total{namespace=\"shop\",deployment=\"web-unlabelled\",status=\"500\"} "
        + n
        + "\n";
  }

  private static String line(String deployment, String code, long value) {
    return "http_requests_total{namespace=\"shop\",deployment=\""
        + deployment
        + "\",code=\""
        + code
        + "\"} "
        + value
        + "\n";
  }

  private static MeasurementRequest request(MetricCheck check, String canary) {
    return new MeasurementRequest(check, new AnalysisSubject("shop", "web", canary, "web-v1"));
  }

  @Test
  void aCanaryWithFivePercentErrorsFailsTheErrorRateCheck() {
    Measurement m = metrics.measure(request(BuiltInChecks.errorRateBelow(0.01), "web-bad"));

    assertThat(m.phase()).as(m.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(m.values())
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(0.05, within(1e-9)));
    assertThat(m.takenAtEpochSeconds()).isPositive();
  }

  @Test
  void aHealthyCanaryPassesTheErrorRateCheckWithNoErrorSeriesAtAll() {
    Measurement m = metrics.measure(request(BuiltInChecks.errorRateBelow(0.01), "web-good"));

    assertThat(m.phase()).as(m.message()).isEqualTo(MeasurementPhase.SUCCESSFUL);
    assertThat(m.values()).containsExactly(0.0);
  }

  @Test
  void comparesTheCanaryWithTheSameQueryOnTheStableVersion() {
    MetricCheck versusStable = BuiltInChecks.errorRateVersusStable(1.5, 0.001);

    Measurement bad = metrics.measure(request(versusStable, "web-bad"));
    Measurement good = metrics.measure(request(versusStable, "web-good"));

    assertThat(bad.phase()).as(bad.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(bad.stableValues())
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(0.005, within(1e-9)));
    assertThat(good.phase()).as(good.message()).isEqualTo(MeasurementPhase.SUCCESSFUL);
  }

  @Test
  void aMetricThatDoesNotExistIsInconclusive() {
    MetricCheck missing =
        new MetricCheck(
            "missing",
            "sum(rate(no_such_metric_total{namespace=\"{{namespace}}\",deployment=\"{{canary}}\"}[1m]))",
            60,
            5,
            "result < 0.01",
            null,
            0,
            0,
            null,
            false);

    Measurement m = metrics.measure(request(missing, "web-bad"));

    assertThat(m.phase()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
    assertThat(m.message()).contains("no data");
  }

  @Test
  void requestsWithoutAStatusCodeAreInconclusiveNotErrorFree() {
    Measurement m = metrics.measure(request(BuiltInChecks.errorRateBelow(0.01), "web-unlabelled"));

    assertThat(m.phase()).as(m.message()).isEqualTo(MeasurementPhase.INCONCLUSIVE);
  }

  @Test
  void aQueryPrometheusRejectsIsAnError() {
    MetricCheck broken =
        new MetricCheck(
            "broken",
            "sum(rate(http_requests_total{deployment=\"{{canary}}\"}[1m])",
            60,
            5,
            "result < 0.01",
            null,
            0,
            0,
            null,
            false);

    Measurement m = metrics.measure(request(broken, "web-bad"));

    assertThat(m.phase()).as(m.message()).isEqualTo(MeasurementPhase.ERROR);
    assertThat(m.message()).contains("refused");
  }

  private static boolean ready(HttpClient http, String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
