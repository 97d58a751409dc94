package dev.opsflow.sandbox.prometheus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, {@value #DEFAULT_BINARY}) scraping
 * the sandbox's applications every second, in a temporary directory (config, TSDB and log) that is
 * deleted when it stops. It listens on a free port on 127.0.0.1. Start it only when {@link
 * #installed} says so; {@link #INSTALL_HINT} says how to get it.
 */
public final class SandboxPrometheus implements AutoCloseable {
  public static final String DEFAULT_BINARY = "/usr/bin/prometheus";

  public static final String INSTALL_HINT = "apt-get install prometheus";

  /** How often it scrapes: short, so a rollout's first measurement has data within seconds. */
  public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);

  private static final Duration READY_DEADLINE = Duration.ofSeconds(60);

  private final Process process;
  private final Path workDir;
  private final int port;

  private SandboxPrometheus(Process process, Path workDir, int port) {
    this.process = process;
    this.workDir = workDir;
    this.port = port;
  }

  /** The binary, when it is installed and executable. */
  public static Optional<Path> installed() {
    Path binary = Path.of(DEFAULT_BINARY);
    return Files.isExecutable(binary) ? Optional.of(binary) : Optional.empty();
  }

  /**
   * Starts Prometheus and waits until it is ready.
   *
   * @param binary the {@code prometheus} executable
   * @param targets scrape jobs: job name to {@code host:port} (each serves {@code /metrics})
   * @throws IllegalStateException if it does not become ready within a minute (its log is quoted)
   */
  public static SandboxPrometheus start(Path binary, Map<String, String> targets) {
    Path dir = null;
    Process process = null;
    try {
      dir = Files.createTempDirectory("opsflow-prometheus-");
      int port = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, config(targets));
      Path log = dir.resolve("prometheus.log");
      process =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--storage.tsdb.retention.time=1d")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      SandboxPrometheus prometheus = new SandboxPrometheus(process, dir, port);
      prometheus.awaitReady(log);
      return prometheus;
    } catch (IOException e) {
      stop(process, dir);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      stop(process, dir);
      throw e;
    }
  }

  /** The scrape configuration: every job scraped each {@link #SCRAPE_INTERVAL}. */
  static String config(Map<String, String> targets) {
    String seconds = SCRAPE_INTERVAL.toSeconds() + "s";
    String jobs =
        targets.entrySet().stream()
            .map(
                t ->
                    "  - job_name: '"
                        + t.getKey()
                        + "'\n    static_configs:\n      - targets: ['"
                        + t.getValue()
                        + "']\n")
            .collect(Collectors.joining());
    return "global:\n  scrape_interval: "
        + seconds
        + "\n  evaluation_interval: "
        + seconds
        + "\nscrape_configs:\n"
        + jobs;
  }

  private void awaitReady(Path log) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Prometheus exited with " + process.exitValue() + ": " + tail(log));
      }
      try {
        HttpResponse<Void> ready =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Prometheus was starting", e);
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "Prometheus was not ready within " + READY_DEADLINE.toSeconds() + " s: " + tail(log));
  }

  private static String tail(Path log) throws IOException {
    String text = Files.exists(log) ? Files.readString(log) : "";
    return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
  }

  /** Its base URL, e.g. {@code http://127.0.0.1:40123}: the worker's {@code prometheus.url}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(Process process, Path dir) {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is harmless; the process is what matters
      }
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
  @Override
  public void close() {
    stop(process, workDir);
  }
}
