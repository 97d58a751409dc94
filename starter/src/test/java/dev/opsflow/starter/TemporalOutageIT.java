package dev.opsflow.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Temporal goes away under a running starter and comes back. The client is built as {@code opsflow
 * starter} builds it (its RPC retries last 10 s, so without a deadline the answer took 10-14 s and
 * Alertmanager, which waits 10 s, never heard it): the webhook must answer 503 within {@code
 * http.temporalDeadline}, readiness must say Temporal is unreachable while liveness stays ok, and
 * once Temporal is back Alertmanager's retry of the same notification starts exactly one run.
 */
class TemporalOutageIT {
  private static final Duration DEADLINE = Duration.ofSeconds(2);

  @Test
  void theWebhookAnswers503WithinTheDeadlineAndTheRetryAfterTheOutageStartsOneRun()
      throws Exception {
    try (StarterOverTemporalOnPort stack =
        new StarterOverTemporalOnPort(
            Map.of("OPSFLOW_HTTP_TEMPORAL_DEADLINE", DEADLINE.toSeconds() + "s"))) {
      StarterUnderTest starter = stack.starter;
      assertThat(starter.config.http().temporalDeadline()).isEqualTo(DEADLINE);
      assertThat(starter.get("/readyz").statusCode()).isEqualTo(200);
      String notification =
          StarterUnderTest.group(StarterUnderTest.kafkaLag("outage-consumer", "0u7a6e0000000001"))
              .toString();
      String workflowId = StarterUnderTest.kafkaWorkflowId("outage-consumer");

      stack.stopTemporal();

      long startedAt = System.nanoTime();
      HttpResponse<String> refused = starter.postAlerts(notification);
      Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(StarterUnderTest.JSON.readTree(refused.body()).path("error").asText())
          .isEqualTo("Temporal is unavailable; retry later");
      // The deadline bounds the answer, well inside Alertmanager's 10 s.
      assertThat(took).isLessThan(DEADLINE.plusSeconds(2)).isLessThan(Duration.ofSeconds(5));

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(starter.get("/readyz").statusCode()).isEqualTo(503));
      JsonNode notReady = StarterUnderTest.JSON.readTree(starter.get("/readyz").body());
      assertThat(notReady.path("error").asText()).startsWith("Temporal is unreachable");
      assertThat(starter.get("/healthz").statusCode()).as("liveness").isEqualTo(200);

      stack.startTemporal();
      List<Integer> answers = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                HttpResponse<String> retry = starter.postAlerts(notification);
                answers.add(retry.statusCode());
                return retry.statusCode() == 202;
              });
      assertThat(answers).allMatch(s -> s == 503 || s == 202);
      HttpResponse<String> again = starter.postAlerts(notification);
      assertThat(again.statusCode()).isEqualTo(202);
      assertThat(StarterUnderTest.JSON.readTree(again.body()).path("duplicates").asInt())
          .isEqualTo(1);

      int open =
          stack
              .client()
              .getWorkflowServiceStubs()
              .blockingStub()
              .listOpenWorkflowExecutions(
                  ListOpenWorkflowExecutionsRequest.newBuilder()
                      .setNamespace("default")
                      .setExecutionFilter(
                          WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId))
                      .build())
              .getExecutionsCount();
      assertThat(open).as("runs of " + workflowId).isEqualTo(1);
      assertThat(starter.runs()).as("runs of any kind").isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(starter.get("/readyz").statusCode()).isEqualTo(200));
    }
  }

  /** The start's idempotency key, sent with every attempt of it. */
  private static final Map<String, String> KEY = Map.of("Idempotency-Key", "outage-start-1");

  @Test
  void theRestApiAnswers503WithinTheDeadlineAndStartsNothingWhileTemporalIsDown() throws Exception {
    try (StarterOverTemporalOnPort stack =
        new StarterOverTemporalOnPort(
            Map.of("OPSFLOW_HTTP_TEMPORAL_DEADLINE", DEADLINE.toSeconds() + "s"))) {
      StarterUnderTest starter = stack.starter;
      String start =
          "{\"workflowType\":\"ConnectivityCheck\",\"workflowId\":\"rest-outage-check\","
              + "\"context\":{},\"async\":true}";
      stack.stopTemporal();

      // Each call that needs Temporal: a start, a status read, a decision, the run lists.
      List<String[]> calls =
          List.of(
              new String[] {"POST", "/api/runbooks/execute", start},
              new String[] {"GET", "/api/runbooks?executionId=rest-outage-check", null},
              new String[] {"GET", "/api/runbooks?status=active", null},
              new String[] {
                "POST", "/api/executions/rest-outage-check/approve", "{\"comment\":\"ok\"}"
              });
      for (String[] call : calls) {
        long startedAt = System.nanoTime();
        HttpResponse<String> answer = starter.api(call[0], call[1], call[2], KEY);
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        assertThat(answer.statusCode())
            .as(call[0] + " " + call[1] + ": " + answer.body())
            .isEqualTo(503);
        assertThat(StarterUnderTest.JSON.readTree(answer.body()).path("error").asText())
            .startsWith("Temporal is unavailable");
        // Without the deadline the client's own retries keep a call going for its 10 s RPC
        // timeout and more; with it, the answer comes once the deadline passes (the margin is for
        // a loaded machine: the build runs beside other JVMs).
        assertThat(took).as(call[0] + " " + call[1]).isLessThan(DEADLINE.plusSeconds(5));
      }

      stack.startTemporal();
      // A retry with the start's Idempotency-Key answers 503 until Temporal is reachable again,
      // then 202; 202 with the same run also when an attempt that answered 503 had reached
      // Temporal just before its deadline and started it (without the key: 409).
      List<String> answers = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                HttpResponse<String> retry =
                    starter.api("POST", "/api/runbooks/execute", start, KEY);
                answers.add(retry.statusCode() + " " + retry.body());
                return retry.statusCode() == 202;
              });
      assertThat(answers).allMatch(a -> a.startsWith("503 ") || a.startsWith("202 "));
      HttpResponse<String> again = starter.api("POST", "/api/runbooks/execute", start, KEY);
      assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
      assertThat(StarterUnderTest.JSON.readTree(again.body()).path("runId").asText())
          .isEqualTo(
              StarterUnderTest.JSON
                  .readTree(answers.get(answers.size() - 1).substring(4))
                  .path("runId")
                  .asText());
      assertThat(starter.runs()).as("runs after the outage, " + answers).isEqualTo(1);
    }
  }
}
