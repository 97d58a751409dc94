package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.dev.DevStack;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook's group commit against a whole dev stack over real HTTP: the notices of one problem
 * travel to its run as one {@code noticesFired} signal per request group (and per round trip when
 * requests arrive together), so a per-pod alert storm does not grow the run's history by an event
 * per alert; and no request is answered 202 before Temporal holds its notices.
 */
class NoticeCoalescingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static DevStack stack;

  @BeforeAll
  static void start() {
    // A window longer than the default, so that requests sent together on a slow build machine
    // still meet; the round-trip batching works without it.
    stack =
        DevStack.start(
            ConfigLoader.load(null, Map.of("OPSFLOW_HTTP_NOTICE_WINDOW", "20ms")),
            "127.0.0.1",
            0,
            0);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aGroupOfTwentyPodAlertsForOneProblemIsOneSignalAndTwentyEpisodes() throws Exception {
    String deployment = "grouped-consumer";
    ObjectNode[] alerts = new ObjectNode[20];
    for (int i = 0; i < alerts.length; i++) {
      alerts[i] = podLag(deployment, i, String.format("a0a0a0a0a0a0%04x", i));
    }

    HttpResponse<String> response = post(group(alerts));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonNode answer = JSON.readTree(response.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(20);
    String workflowId = kafkaWorkflowId(deployment);
    assertThat(answer.path("workflows").get(0).asText()).isEqualTo(workflowId);
    List<HistoryEvent> signals = signalEvents(workflowId);
    assertThat(signals).as("one signal for the whole group").hasSize(1);
    assertThat(signals.get(0).getWorkflowExecutionSignaledEventAttributes().getSignalName())
        .isEqualTo(RemediationSignals.NOTICES_FIRED);
    assertThat(fingerprints(workflowId)).hasSize(20);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(status(workflowId).notices()).isEqualTo(20));
  }

  @Test
  void concurrentRequestsForOneProblemAreAllAcceptedInFewSignalsAndNoneIsLost() throws Exception {
    String deployment = "stormed-consumer";
    int requests = 120;
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      sent.add(postAsync(group(podLag(deployment, i, String.format("b0b0b0b0b0b0%04x", i)))));
    }
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> s : sent) {
      statuses.add(s.join().statusCode());
    }

    assertThat(statuses).as("every request answered 202").containsOnly(202);
    String workflowId = kafkaWorkflowId(deployment);
    // A 202 means Temporal holds the notice. A signal that lands while the run's workflow task is
    // in flight is held by the server as a buffered event and written to the history when that
    // task completes, so the history read waits (bounded) for the last of them.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(fingerprints(workflowId))
                    .as("every request's notice is in the history")
                    .hasSize(120));
    int signals = signalEvents(workflowId).size();
    assertThat(signals).as("far fewer signals than requests").isBetween(1, requests / 4);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(status(workflowId).notices()).isEqualTo(requests));
  }

  // ---- payloads ----

  /** A lag alert of one pod of {@code deployment}: one problem, an episode per pod. */
  private static ObjectNode podLag(String deployment, int pod, String fingerprint) {
    ObjectNode alert = JSON.createObjectNode();
    alert.put("status", "firing");
    ObjectNode labels = alert.putObject("labels");
    labels.put("alertname", "KafkaConsumerLagHigh");
    labels.put("namespace", "demo");
    labels.put("deployment", deployment);
    labels.put("consumergroup", deployment);
    labels.put("pod", deployment + "-" + pod);
    labels.put("severity", "warning");
    alert.putObject("annotations").put("summary", "lag on " + deployment + "-" + pod);
    alert.put("startsAt", "2026-11-23T10:00:00.000Z");
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("fingerprint", fingerprint);
    return alert;
  }

  private static String group(ObjectNode... alerts) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"KafkaConsumerLagHigh\"}");
    payload.put("status", "firing");
    payload.put("receiver", "opsflow");
    payload.putObject("groupLabels").put("alertname", "KafkaConsumerLagHigh");
    ArrayNode list = payload.putArray("alerts");
    for (ObjectNode a : alerts) {
      list.add(a);
    }
    return payload.toString();
  }

  private static String kafkaWorkflowId(String deployment) {
    return "heal-kafka-lag-remediation-demo/" + deployment + "/" + deployment;
  }

  // ---- HTTP and Temporal ----

  private static HttpRequest request(String body) {
    return HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/alerts"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + DevStack.DEV_WEBHOOK_TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(request(body), HttpResponse.BodyHandlers.ofString());
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(String body) {
    return http.sendAsync(request(body), HttpResponse.BodyHandlers.ofString());
  }

  private static List<HistoryEvent> history(String workflowId) {
    WorkflowExecutionHistory history = stack.client().fetchHistory(workflowId);
    return history.getEvents();
  }

  private static List<HistoryEvent> signalEvents(String workflowId) {
    return history(workflowId).stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
        .toList();
  }

  /**
   * The fingerprints of every notice the run's history holds: the start's request and each signal
   * (a notice alone or a list of them), read from the payloads as JSON.
   */
  private static Set<String> fingerprints(String workflowId) throws Exception {
    Set<String> found = new HashSet<>();
    for (HistoryEvent e : history(workflowId)) {
      if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        JsonNode request =
            JSON.readTree(
                e.getWorkflowExecutionStartedEventAttributes()
                    .getInput()
                    .getPayloads(0)
                    .getData()
                    .toStringUtf8());
        collect(request.path("run").path("alert"), found);
        collect(request.path("alert"), found);
      } else if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
        collect(
            JSON.readTree(
                e.getWorkflowExecutionSignaledEventAttributes()
                    .getInput()
                    .getPayloads(0)
                    .getData()
                    .toStringUtf8()),
            found);
      }
    }
    return found;
  }

  private static void collect(JsonNode notices, Set<String> found) {
    if (notices.isArray()) {
      notices.forEach(n -> collect(n, found));
    } else if (notices.hasNonNull("fingerprint")) {
      found.add(notices.path("fingerprint").asText());
    }
  }

  private static RemediationStatus status(String workflowId) {
    return stack
        .client()
        .newUntypedWorkflowStub(workflowId)
        .query(RemediationSignals.STATUS, RemediationStatus.class);
  }
}
