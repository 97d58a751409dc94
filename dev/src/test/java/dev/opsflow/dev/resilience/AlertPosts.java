package dev.opsflow.dev.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Alertmanager 0.25 notifications, posted to a starter's {@code POST /alerts}. */
final class AlertPosts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String baseUrl;
  private final String token;

  AlertPosts(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** One firing alert with these labels, alone in its group; the answer's JSON. */
  Answer fire(Map<String, String> labels, String fingerprint, String startsAt)
      throws IOException, InterruptedException {
    ObjectNode alert = JSON.createObjectNode();
    alert.put("status", "firing");
    alert.set("labels", JSON.valueToTree(new TreeMap<>(labels)));
    alert.set("annotations", JSON.valueToTree(Map.of("summary", labels.get("alertname"))));
    alert.put("startsAt", startsAt);
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("generatorURL", "http://prometheus:9090/graph");
    alert.put("fingerprint", fingerprint);
    ObjectNode payload = JSON.createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"" + labels.get("alertname") + "\"}");
    payload.put("truncatedAlerts", 0);
    payload.put("status", "firing");
    payload.put("receiver", "opsflow");
    payload.set("groupLabels", JSON.valueToTree(Map.of("alertname", labels.get("alertname"))));
    payload.set("commonLabels", JSON.valueToTree(new TreeMap<>(labels)));
    payload.set("commonAnnotations", JSON.createObjectNode());
    payload.put("externalURL", "http://alertmanager:9093");
    ArrayNode alerts = payload.putArray("alerts");
    alerts.add(alert);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/alerts"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(payload.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  /** The starter's answer: status code and body. */
  record Answer(int status, JsonNode body) {
    /** The workflow IDs the notification was delivered to. */
    List<String> workflows() {
      List<String> ids = new ArrayList<>();
      body.path("workflows").forEach(n -> ids.add(n.asText()));
      return ids;
    }
  }
}
