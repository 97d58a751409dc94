package dev.opsflow.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager does not retry a 4xx, so a large group refused at the door is lost: one of 8,000
 * alerts (160 problems, 50 pods each) is taken whole within the default limits, one over {@code
 * http.maxAlerts} is refused naming the setting and Alertmanager's {@code max_alerts}.
 */
class LargeNotificationIT {
  @Test
  void aGroupOf8000AlertsIsAcceptedAndOneOverTheBoundIsRefusedNamingMaxAlerts() throws Exception {
    try (TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance();
        StarterUnderTest starter =
            new StarterUnderTest(
                temporal.getWorkflowClient(),
                Map.of(
                    "OPSFLOW_HTTP_MAX_ALERTS", "8000", "OPSFLOW_HTTP_TEMPORAL_DEADLINE", "9s"))) {
      temporal.start();
      ObjectNode[] alerts = new ObjectNode[8000];
      for (int i = 0; i < alerts.length; i++) {
        alerts[i] =
            StarterUnderTest.kafkaLag("consumer-" + (i / 50), String.format("%016x", i + 1L));
        ((ObjectNode) alerts[i].path("labels")).put("pod", "consumer-" + (i / 50) + "-" + i);
      }
      String body = StarterUnderTest.group(alerts).toString();
      // Over the 1 MB every request was held to before, which refused this group with 413.
      assertThat(body.length()).isGreaterThan(2 * 1024 * 1024);

      // The embedded test service takes a few hundred signals a second, so the group may need
      // Alertmanager's retries: each 503 keeps what was delivered, and the retry sends the rest.
      HttpResponse<String> accepted = starter.postAlerts(body);
      int attempts = 1;
      while (accepted.statusCode() == 503 && attempts < 10) {
        accepted = starter.postAlerts(body);
        attempts++;
      }
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      JsonNode answer = StarterUnderTest.JSON.readTree(accepted.body());
      assertThat(answer.path("accepted").asInt() + answer.path("duplicates").asInt())
          .isEqualTo(8000);
      assertThat(answer.path("unroutable")).isEmpty();
      assertThat(starter.runs()).isEqualTo(160);

      ObjectNode[] more = java.util.Arrays.copyOf(alerts, 8001);
      more[8000] = StarterUnderTest.kafkaLag("one-too-many", "ffff000000000001");
      HttpResponse<String> refused = starter.postAlerts(StarterUnderTest.group(more).toString());
      assertThat(refused.statusCode()).isEqualTo(413);
      assertThat(StarterUnderTest.JSON.readTree(refused.body()).path("error").asText())
          .contains("8001 alerts", "at most 8000", "http.maxAlerts", "max_alerts");
      assertThat(starter.runs()).as("nothing of the refused group started").isEqualTo(160);
      assertThat(
              starter
                  .metrics
                  .registry()
                  .counter("opsflow_alerts_received", "outcome", "firing")
                  .count())
          .as("notices delivered, each once")
          .isEqualTo(8000.0);
    }
  }
}
