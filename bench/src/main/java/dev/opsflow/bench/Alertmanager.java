package dev.opsflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays Alertmanager against the starter's real webhook over loopback HTTP (the JDK client): one
 * alert per notification, as Alertmanager sends a group of one, with the labels of the default
 * routes. Every notification has its own fingerprint, so each is a new episode and none is dropped
 * as a resend before it reaches Temporal.
 */
final class Alertmanager implements AutoCloseable {
  static final String NAMESPACE = "demo";
  private static final AtomicLong FINGERPRINTS = new AtomicLong();

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .executor(executor)
          .build();
  private final URI webhook;
  private final String token;

  Alertmanager(String webhook, String token) {
    this.webhook = URI.create(webhook);
    this.token = token;
  }

  /** A high-severity lag alert on {@code deployment} (KafkaLagRemediation: confirms first). */
  static String consumerLag(String deployment) {
    return payload(
        Map.of(
            "alertname",
            "KafkaConsumerLagHigh",
            "namespace",
            NAMESPACE,
            "deployment",
            deployment,
            "consumergroup",
            deployment + "-group",
            "topic",
            "orders"));
  }

  /** A critical crash-loop alert on {@code deployment} (CrashLoopRemediation: acts at once). */
  static String crashLoop(String deployment) {
    return payload(
        Map.of(
            "alertname",
            "KubePodCrashLooping",
            "namespace",
            NAMESPACE,
            "deployment",
            deployment,
            "severity",
            "critical"));
  }

  private static String payload(Map<String, String> labels) {
    ObjectNode root = Results.JSON.createObjectNode();
    root.put("version", "4");
    root.put("status", "firing");
    root.put("receiver", "opsflow");
    root.put("groupKey", "{}:{alertname=\"" + labels.get("alertname") + "\"}");
    root.set("groupLabels", Results.JSON.valueToTree(Map.of("alertname", labels.get("alertname"))));
    root.set("commonLabels", Results.JSON.valueToTree(labels));
    ObjectNode alert = root.putArray("alerts").addObject();
    alert.put("status", "firing");
    alert.set("labels", Results.JSON.valueToTree(labels));
    alert.putObject("annotations").put("summary", "bench");
    alert.put("startsAt", Instant.now().toString());
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("fingerprint", String.format("%016x", FINGERPRINTS.incrementAndGet()));
    return root.toString();
  }

  /** Posts one payload; completes with the response (any status). */
  CompletableFuture<HttpResponse<String>> send(String payload) {
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The one workflow ID a 202 names; fails with the answer otherwise. */
  static String workflowOf(HttpResponse<String> response) {
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "webhook answered " + response.statusCode() + ": " + response.body());
    }
    try {
      JsonNode body = Results.JSON.readTree(response.body());
      return body.get("workflows").get(0).asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
