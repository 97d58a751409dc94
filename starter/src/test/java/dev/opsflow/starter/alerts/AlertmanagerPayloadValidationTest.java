package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerPayloadValidationTest {
  private static AlertmanagerPayload payload(
      String version, List<AlertmanagerPayload.Alert> alerts) {
    return new AlertmanagerPayload(
        version, "g", 0, "firing", "opsflow", Map.of(), Map.of(), Map.of(), "", alerts);
  }

  private static AlertmanagerPayload.Alert alert(
      String status, String fingerprint, String startsAt, Map<String, String> labels) {
    return new AlertmanagerPayload.Alert(
        status, labels, Map.of(), startsAt, "0001-01-01T00:00:00Z", "", fingerprint);
  }

  @Test
  void eachStructuralProblemIsNamed() {
    Map<String, String> ok = Map.of("alertname", "X");
    assertThat(AlertWebhook.invalid(null)).startsWith("empty body");
    assertThat(AlertWebhook.invalid(payload("3", List.of(alert("firing", "f", "t", ok)))))
        .isEqualTo("unsupported webhook payload version '3' (expected \"4\")");
    assertThat(AlertWebhook.invalid(payload("4", List.of())))
        .isEqualTo("alerts: the payload has no alerts");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("pending", "f", "t", ok)))))
        .isEqualTo("alerts[0].status: must be firing or resolved, got 'pending'");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("firing", "", "t", ok)))))
        .isEqualTo("alerts[0].fingerprint: missing");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("firing", "f", null, ok)))))
        .isEqualTo("alerts[0].startsAt: missing");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("firing", "f", "t", Map.of())))))
        .isEqualTo("alerts[0].labels.alertname: missing");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("firing", "f", "t", ok))))).isNull();
  }

  @Test
  void episodeFieldsAreBoundedAndFreeOfControlCharacters() {
    Map<String, String> ok = Map.of("alertname", "X");
    assertThat(
            AlertWebhook.invalid(payload("4", List.of(alert("firing", "f".repeat(65), "t", ok)))))
        .startsWith("alerts[0].fingerprint: 'ffff")
        .endsWith("must be at most 64 characters without control characters");
    assertThat(
            AlertWebhook.invalid(
                payload("4", List.of(alert("firing", "f", "2026-11-23\r\nforged", ok)))))
        .isEqualTo(
            "alerts[0].startsAt: '2026-11-23\\r\\nforged' must be at most 64 characters"
                + " without control characters");
    assertThat(AlertWebhook.invalid(payload("4", List.of(alert("fir\ning", "f", "t", ok)))))
        .isEqualTo("alerts[0].status: must be firing or resolved, got 'fir\\ning'");
    assertThat(
            AlertWebhook.invalid(payload("4", List.of(alert("firing", "f".repeat(64), "t", ok)))))
        .isNull();
  }
}
