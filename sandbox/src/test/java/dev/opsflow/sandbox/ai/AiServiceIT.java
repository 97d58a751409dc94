package dev.opsflow.sandbox.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The AI service over real HTTP: its troubles, the endpoints that fix them, its metrics. */
class AiServiceIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> call(String method, String url, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anOpenBreakerIsUnhealthyUntilAResetAndAClearFreesTheCachesMemory() throws Exception {
    try (AiService ai = AiService.start("t").openBreaker().memory(0.3, 0.1)) {
      assertThat(call("GET", ai.url() + "/health", null).statusCode()).isEqualTo(503);
      assertThat(call("GET", ai.url() + "/memory", null).body()).isEqualTo("0.800");

      assertThat(call("POST", ai.url() + "/circuit-breaker/reset", null).statusCode())
          .isEqualTo(200);
      assertThat(call("POST", ai.url() + "/cache/clear", null).body()).contains("\"memory\":0.5");

      assertThat(call("GET", ai.url() + "/health", null).statusCode()).isEqualTo(200);
      assertThat(ai.breakerResets()).isEqualTo(1);
      assertThat(ai.cacheClears()).isEqualTo(1);
      assertThat(ai.mutatingCalls())
          .containsExactly("POST /circuit-breaker/reset", "POST /cache/clear");
    }
  }

  @Test
  void plannedFailuresAnswer503ThenThePathWorksAgain() throws Exception {
    try (AiService ai = AiService.start("t").failNext("/cache/clear", 2)) {
      assertThat(call("POST", ai.url() + "/cache/clear", null).statusCode()).isEqualTo(503);
      assertThat(call("POST", ai.url() + "/cache/clear", null).statusCode()).isEqualTo(503);
      assertThat(call("POST", ai.url() + "/cache/clear", null).statusCode()).isEqualTo(200);
      assertThat(ai.cacheClears()).isEqualTo(1);
    }
  }

  @Test
  void badRateLimitsAndMitigationsAreRefusedNamingTheField() throws Exception {
    try (AiService ai = AiService.start("t")) {
      HttpResponse<String> wrongAgent =
          call("POST", ai.url() + "/rate-limit", "{\"agent\":\"browser\",\"requestsPerSecond\":1}");
      assertThat(wrongAgent.statusCode()).isEqualTo(400);
      assertThat(wrongAgent.body()).contains("agent:");
      assertThat(call("POST", ai.url() + "/mitigation", "{\"block\":\"all\"}").body())
          .contains("block:");
      assertThat(
              call("POST", ai.url() + "/rate-limit", "{\"agent\":\"bot\",\"requestsPerSecond\":5}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(ai.rateLimit("bot")).isEqualTo(5);
      assertThat(ai.blockingAnonymous()).isFalse();
    }
  }

  @Test
  void aRolloutRestartOfItsWorkersStartsItAfreshUnlessTheModelIsStuck() throws Exception {
    try (KubernetesSandbox kubernetes = KubernetesSandbox.start()) {
      kubernetes.seedApplication("demo", AiService.WORKERS, 2, "registry.example/ai:1");
      try (AiService ai =
          AiService.start("t")
              .bindWorkers(kubernetes.client(), "demo", AiService.WORKERS)
              .openBreaker()
              .memory(0.1, 0.4)) {
        restart(kubernetes, "2026-12-02T10:00:00Z");

        assertThat(call("GET", ai.url() + "/health", null).statusCode()).isEqualTo(200);
        assertThat(ai.restarts()).isEqualTo(1);
        assertThat(ai.memory()).isEqualTo(AiService.BASELINE_MEMORY);

        ai.stuck(true).memory(0, 0.4).leakRecurs(true);
        restart(kubernetes, "2026-12-02T11:00:00Z");
        assertThat(call("GET", ai.url() + "/health", null).body())
            .contains("model not loaded", "circuit breaker open");
        assertThat(ai.restarts()).isEqualTo(2);
        assertThat(ai.memory()).isEqualTo(0.8);
      }
    }
  }

  private static void restart(KubernetesSandbox kubernetes, String at) {
    kubernetes
        .client()
        .apps()
        .deployments()
        .inNamespace("demo")
        .withName(AiService.WORKERS)
        .edit(
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getMetadata()
                  .setAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", at));
              return d;
            });
  }

  @Test
  void itsUsersAreCountedByAgentLessWhatARateLimitRefuses() throws Exception {
    try (AiService ai = AiService.start("t").traffic(40, 40, 0)) {
      call("POST", ai.url() + "/rate-limit", "{\"agent\":\"bot\",\"requestsPerSecond\":10}");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(call("GET", ai.url() + "/metrics", null).body())
                      .containsPattern(
                          "ai_requests_total\\{agent=\"bot\",code=\"429\",service=\"t\"} [1-9]")
                      .contains("ai_service_memory_usage_ratio{service=\"t\"} 0.4"));
      assertThat(ai.calls()).containsExactly("POST /rate-limit");
    }
  }
}
