package dev.opsflow.starter.alerts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook body (version 4), as documented for webhook_config. Fields this service
 * does not use are ignored, so newer Alertmanagers that add fields keep working.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerPayload(
    String version,
    String groupKey,
    Integer truncatedAlerts,
    String status,
    String receiver,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    String externalURL,
    List<Alert> alerts) {

  /** One alert of the group. {@code endsAt} is "0001-01-01T00:00:00Z" while it fires. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alert(
      String status,
      Map<String, String> labels,
      Map<String, String> annotations,
      String startsAt,
      String endsAt,
      String generatorURL,
      String fingerprint) {}
}
