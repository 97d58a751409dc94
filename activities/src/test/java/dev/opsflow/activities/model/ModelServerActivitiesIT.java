package dev.opsflow.activities.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.model.ModelServer;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluation against the sandbox's real model server (its checked-in validation set), and what
 * a broken one answers against a small HTTP server: never a pass.
 */
class ModelServerActivitiesIT {
  private static KubernetesSandbox kubernetes;
  private static ModelServer models;
  private static HttpServer broken;
  private static final AtomicReference<String> answer = new AtomicReference<>();
  private static final AtomicReference<Integer> code = new AtomicReference<>(200);

  @BeforeAll
  static void start() throws IOException {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedApplication("ml", "model", 1, "registry.example/model-server:v1");
    models = ModelServer.start(kubernetes.client(), "ml", "model", 1);
    broken = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    broken.createContext(
        "/",
        exchange -> {
          byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(code.get(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    broken.start();
  }

  @AfterAll
  static void stop() {
    if (broken != null) {
      broken.stop(0);
    }
    if (models != null) {
      models.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
  }

  private static ModelServerActivitiesImpl against(String url) {
    return new ModelServerActivitiesImpl(HttpClient.newHttpClient(), url, Duration.ofSeconds(5));
  }

  private static ModelServerActivitiesImpl brokenServer(int status, String body) {
    code.set(status);
    answer.set(body);
    return against("http://127.0.0.1:" + broken.getAddress().getPort() + "/");
  }

  @Test
  void readsEachVersionsAccuracyOnTheValidationSet() {
    ModelServerActivitiesImpl server = against(models.url());

    assertThat(server.evaluate("v1")).isEqualTo(new ModelEvaluation("v1", 400, 382, 0.955));
    assertThat(server.evaluate("v2")).isEqualTo(new ModelEvaluation("v2", 400, 336, 0.84));
  }

  @Test
  void anUnknownVersionIsNotFoundAndABadNameNeverReachesTheServer() {
    ModelServerActivitiesImpl server = against(models.url());

    assertThat(type(() -> server.evaluate("v7"))).isEqualTo(FailureTypes.NOT_FOUND);
    assertThat(type(() -> server.evaluate("../admin"))).isEqualTo(FailureTypes.INVALID_NAME);
    assertThat(type(() -> against("").evaluate("v1"))).isEqualTo(FailureTypes.NOT_CONFIGURED);
  }

  @Test
  void anAnswerWithoutAUsableAccuracyIsUnreadableAndAnOutageIsRetried() {
    assertThat(type(() -> brokenServer(200, "{\"version\":\"v1\"}").evaluate("v1")))
        .isEqualTo(ModelServerActivitiesImpl.UNREADABLE);
    assertThat(
            type(() -> brokenServer(200, "{\"version\":\"v1\",\"accuracy\":1.7}").evaluate("v1")))
        .isEqualTo(ModelServerActivitiesImpl.UNREADABLE);
    assertThat(
            type(() -> brokenServer(200, "{\"version\":\"v2\",\"accuracy\":0.99}").evaluate("v1")))
        .as("an answer about another version")
        .isEqualTo(ModelServerActivitiesImpl.UNREADABLE);
    assertThat(type(() -> brokenServer(200, "<html>login</html>").evaluate("v1")))
        .isEqualTo(ModelServerActivitiesImpl.UNREADABLE);
    assertThat(type(() -> brokenServer(503, "busy").evaluate("v1")))
        .isEqualTo(ModelServerActivitiesImpl.UNAVAILABLE);
    assertThat(type(() -> against("http://127.0.0.1:1").evaluate("v1")))
        .isEqualTo(ModelServerActivitiesImpl.UNAVAILABLE);
  }

  private static String type(Runnable call) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("refused").isNotNull();
    return failure.getType();
  }
}
