package dev.opsflow.sandbox.traffic;

import dev.opsflow.sandbox.DaemonThreads;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users of one Service: real HTTP requests at a steady rate, each sent to the Deployment the
 * cluster would route it to ({@link ServiceTraffic}, read again every {@value #REFRESH_MILLIS} ms,
 * so a canary's weight change is felt within a second). Requests are picked by smooth weighted
 * round robin, not at random, so the split is exact over any window.
 */
public final class LoadGenerator implements AutoCloseable {
  static final long REFRESH_MILLIS = 500;

  /** More requests in flight than this means the server is stuck: skip rather than pile up. */
  private static final int MAX_IN_FLIGHT = 64;

  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);

  private final ServiceTraffic traffic;
  private final Function<String, HttpRequest> request;
  private final WeightedRoundRobin picker = new WeightedRoundRobin();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong sent = new AtomicLong();
  private final ExecutorService responses;
  private final HttpClient http;
  private final ScheduledExecutorService loop;
  private volatile TrafficSplit split = TrafficSplit.NONE;

  private LoadGenerator(
      String name,
      ServiceTraffic traffic,
      int requestsPerSecond,
      Function<String, HttpRequest> request) {
    if (requestsPerSecond < 1 || requestsPerSecond > 1000) {
      throw new IllegalArgumentException(
          "requestsPerSecond: must be between 1 and 1000, was " + requestsPerSecond);
    }
    this.traffic = traffic;
    this.request = request;
    this.loop = Executors.newScheduledThreadPool(1, DaemonThreads.named("sandbox-load-" + name));
    this.responses =
        Executors.newFixedThreadPool(2, DaemonThreads.named("sandbox-load-" + name + "-http"));
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(responses)
            .build();
    refresh();
    loop.scheduleWithFixedDelay(
        this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    long periodMicros = 1_000_000L / requestsPerSecond;
    loop.scheduleAtFixedRate(this::sendOne, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
  }

  /**
   * Starts sending {@code requestsPerSecond} requests to the Service {@code traffic} observes.
   *
   * @param request the request that reaches a given Deployment (by its name)
   */
  public static LoadGenerator start(
      String name,
      ServiceTraffic traffic,
      int requestsPerSecond,
      Function<String, HttpRequest> request) {
    return new LoadGenerator(name, traffic, requestsPerSecond, request);
  }

  /** The split as last read from the cluster. */
  public TrafficSplit split() {
    return split;
  }

  /** Requests sent so far. */
  public long sent() {
    return sent.get();
  }

  private void refresh() {
    try {
      split = traffic.observe();
    } catch (RuntimeException e) {
      // The API server may be closing or busy; keep the last split and read again next tick.
      log.debug("reading the traffic split of {} failed: {}", traffic.service(), e.toString());
    }
  }

  private void sendOne() {
    Optional<String> deployment = picker.next(split);
    if (deployment.isEmpty() || !inFlight.tryAcquire()) {
      return;
    }
    sent.incrementAndGet();
    http.sendAsync(request.apply(deployment.get()), HttpResponse.BodyHandlers.discarding())
        .whenComplete((response, error) -> inFlight.release());
  }

  @Override
  public void close() {
    loop.shutdownNow();
    responses.shutdownNow();
  }
}
