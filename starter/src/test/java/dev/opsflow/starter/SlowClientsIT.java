package dev.opsflow.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * 300 slow clients (slowloris) hold connections to the real starter server: unauthenticated bodies
 * trickled one byte at a time into {@code /slack/interactions} (whose signature needs the body) and
 * {@code /alerts}, and headers that never end. While they trickle, health and an authenticated
 * Alertmanager notification still answer; every slow Slack body is cut off once {@code
 * http.bodyTimeout} has passed, and none of it is logged with a stack trace.
 */
class SlowClientsIT {
  private static final int EACH = 100;

  @Test
  void healthAndTheWebhookAnswerWhileHundredsOfSlowClientsTrickle() throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
    AtomicBoolean trickling = new AtomicBoolean(true);
    List<Socket> slackBodies = new ArrayList<>();
    List<Socket> all = new ArrayList<>();
    try (TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance();
        StarterUnderTest starter =
            new StarterUnderTest(
                temporal.getWorkflowClient(),
                Map.of("OPSFLOW_HTTP_BODY_TIMEOUT", "8s", "OPSFLOW_HTTP_IDLE_TIMEOUT", "20s"))) {
      temporal.start();
      for (int i = 0; i < EACH; i++) {
        Socket slack =
            open(
                starter,
                "POST /slack/interactions HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\n"
                    + "Content-Length: 100000\r\n\r\npayload=");
        slackBodies.add(slack);
        all.add(slack);
        all.add(
            open(
                starter,
                "POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{"));
        all.add(open(starter, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow-"));
      }
      Thread trickler =
          new Thread(
              () -> {
                while (trickling.get()) {
                  for (Socket s : all) {
                    try {
                      s.getOutputStream().write('a');
                    } catch (IOException closedByServer) {
                      // Cut off: what the server is meant to do to a slow client.
                    }
                  }
                  sleepQuietly(200);
                }
              },
              "slowloris");
      trickler.setDaemon(true);
      trickler.start();

      long started = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> health =
            StarterUnderTest.HTTP.send(
                HttpRequest.newBuilder(starter.uri("/healthz"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
      }
      HttpResponse<String> alert =
          StarterUnderTest.HTTP.send(
              HttpRequest.newBuilder(starter.uri("/alerts"))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + StarterUnderTest.ALERTS_TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          StarterUnderTest.group(
                                  StarterUnderTest.kafkaLag("under-siege", "5104105100000001"))
                              .toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(alert.statusCode()).as(alert.body()).isEqualTo(202);
      // Well before the slow bodies' own deadline (8 s): they did not hold the server up.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(starter.runs()).isEqualTo(1);

      // Every slow Slack body is cut off soon after http.bodyTimeout (or refused as busy).
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertThat(slackBodies).allSatisfy(s -> assertThat(closed(s)).isTrue()));
      assertThat(starter.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(logged.list)
          .filteredOn(e -> e.getThrowableProxy() != null)
          .as("stack traces logged for slow or aborted bodies")
          .isEmpty();
    } finally {
      trickling.set(false);
      root.detachAppender(logged);
      for (Socket s : all) {
        s.close();
      }
    }
  }

  private static Socket open(StarterUnderTest starter, String start) throws IOException {
    Socket socket = new Socket("127.0.0.1", starter.server.port());
    socket.setSoTimeout(50);
    OutputStream out = socket.getOutputStream();
    out.write(start.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return socket;
  }

  /** True once the server has answered and closed, or closed without answering. */
  private static boolean closed(Socket socket) {
    try {
      byte[] buffer = new byte[4096];
      while (true) {
        int n = socket.getInputStream().read(buffer);
        if (n == -1) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
