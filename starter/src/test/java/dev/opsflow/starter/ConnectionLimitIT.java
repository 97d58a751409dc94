package dev.opsflow.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * At the connection limit the starter stops accepting (new connections wait in the backlog) and
 * sheds idle connections after 2 s. A burst reached the limit with its connections still being set
 * up; Jetty shortened none of them, so once answered they stayed open, idle and kept alive, for
 * {@code http.idleTimeout} (30 s), and the requests in the backlog were never answered inside
 * Alertmanager's 10 s. Here every request is answered (503: Temporal is down, so each waits the
 * {@code http.temporalDeadline}, 3 s, while the limit is reached), the backlog's inside 10 s.
 */
class ConnectionLimitIT {
  private static final int LIMIT = 10;
  private static final Duration ALERTMANAGER = Duration.ofSeconds(10);

  @Test
  void requestsWaitingOnTemporalAtTheConnectionLimitAreAnswered503() throws Exception {
    try (StarterOverTemporalOnPort stack =
        new StarterOverTemporalOnPort(Map.of("OPSFLOW_HTTP_MAX_CONNECTIONS", "" + LIMIT))) {
      StarterUnderTest starter = stack.starter;
      Duration deadline = starter.config.http().temporalDeadline();
      assertThat(deadline).as("the default deadline").isEqualTo(Duration.ofSeconds(3));
      stack.stopTemporal();

      // Two more requests at once than the limit allows connections, each on its own connection.
      List<CompletableFuture<Answer>> answers = new ArrayList<>();
      ExecutorService senders = Executors.newFixedThreadPool(LIMIT + 2);
      for (int i = 0; i < LIMIT + 2; i++) {
        String notification =
            StarterUnderTest.group(
                    StarterUnderTest.kafkaLag(
                        "limit-consumer-" + i, String.format("11m1700000000%02d", i)))
                .toString();
        answers.add(CompletableFuture.supplyAsync(() -> post(starter, notification), senders));
      }
      for (CompletableFuture<Answer> answer : answers) {
        Answer got = answer.get(60, TimeUnit.SECONDS);
        HttpResponse<String> response = got.response();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(StarterUnderTest.JSON.readTree(response.body()).path("error").asText())
            .isEqualTo("Temporal is unavailable; retry later");
        // Alertmanager gives up on a request after 10 s: the ones that waited in the backlog are
        // let in once the answered connections, idle, are shed (2 s), not after http.idleTimeout.
        assertThat(got.took())
            .as("answered inside Alertmanager's timeout")
            .isLessThan(ALERTMANAGER);
      }
      senders.shutdownNow();
      assertThat(starter.get("/healthz").statusCode()).as("liveness afterwards").isEqualTo(200);
    }
  }

  /** The answer and how long it took, or the failure to answer. */
  private record Answer(HttpResponse<String> response, Duration took) {}

  private static Answer post(StarterUnderTest starter, String body) {
    long sentAt = System.nanoTime();
    try {
      HttpResponse<String> response = starter.postAlerts(body);
      return new Answer(response, Duration.ofNanos(System.nanoTime() - sentAt));
    } catch (Exception e) {
      throw new IllegalStateException(
          "no answer after " + Duration.ofNanos(System.nanoTime() - sentAt) + ": " + e, e);
    }
  }
}
