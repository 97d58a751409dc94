package dev.opsflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.HttpAllowList;
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code runbooks.httpAllow} where the request is made: a real HTTP server counts what reaches it,
 * so "refused before any request" is what is measured.
 */
class HttpRequestsAllowListTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private String base;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpRequests allowing(String... prefixes) {
    return HttpRequests.withDefaults(HttpAllowList.of(List.of(prefixes)));
  }

  @Test
  void aUrlInsideTheListIsAsked() {
    HttpRequests http = allowing(base + "/admin");
    ActionAnswer call = http.call(base + "/admin/flush?all=1", "POST", "", Map.of(), 204, 5);
    ProbeAnswer probe = http.probe(base + "/admin", "GET", 204, Map.of(), 5);
    assertThat(call.result()).isEqualTo(Map.of("status", 204, "body", ""));
    assertThat(probe.passed()).isTrue();
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void aUrlOutsideTheListFailsTheStepBeforeAnyRequestNamingOnlyItsHost() {
    HttpRequests http = allowing(base + "/admin");
    String url =
        "http://ops:hunter2@127.0.0.1:" + server.getAddress().getPort() + "/drop?token=s3cret";
    assertThatThrownBy(() -> http.call(url, "POST", "", Map.of(), null, 5))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
              assertThat(f.getOriginalMessage())
                  .startsWith(
                      "http.call: host 127.0.0.1:"
                          + server.getAddress().getPort()
                          + " (http) is not in runbooks.httpAllow")
                  .doesNotContain("hunter2")
                  .doesNotContain("s3cret")
                  .doesNotContain("/drop");
            });
    assertThatThrownBy(
            () -> http.probe("http://elsewhere.example/health", "GET", null, Map.of(), 5))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f ->
                assertThat(f.getOriginalMessage())
                    .startsWith("http.probe: host elsewhere.example (http) is not in"));
    assertThat(requests.get()).as("nothing reached the server").isZero();
  }

  @Test
  void unsetAsksEveryUrl() {
    HttpRequests http = HttpRequests.withDefaults(HttpAllowList.ANY);
    assertThat(http.probe(base + "/anything", "GET", 204, Map.of(), 5).passed()).isTrue();
    assertThat(requests.get()).isEqualTo(1);
  }
}
