package dev.opsflow.starter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.starter.slack.SlackSignature;
import dev.opsflow.worker.OpsflowMetrics;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.client.WorkflowClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The real starter server ({@link StarterServer#start}) over loopback, configured from environment
 * variables as in production, with credentials for every protected route, and the requests the
 * hardening tests send: well-formed ones through {@link HttpClient}, broken ones as raw bytes on a
 * socket (a truncated body, an unfinished chunk), which no HTTP client would send.
 */
final class StarterUnderTest implements AutoCloseable {
  static final String ALERTS_TOKEN = "alerts-token-0123456789";
  static final String OPERATOR_TOKEN = "operator-token-0123456789";
  static final String VIEWER_TOKEN = "viewer-token-0123456789";
  static final Secret SLACK_SECRET = Secret.of("hardening-signing-secret-0123456789");
  static final ObjectMapper JSON = new ObjectMapper();

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final OpsflowMetrics metrics = new OpsflowMetrics();
  final OpsflowConfig config;
  final StarterServer server;
  final WorkflowClient client;
  final SlackSignature signer = new SlackSignature(SLACK_SECRET, System::currentTimeMillis, 10_000);

  /**
   * @param settings extra environment variables (limits under test)
   */
  StarterUnderTest(WorkflowClient client, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("ALERTS_BEARER_TOKEN", ALERTS_TOKEN);
    env.put(
        "OPSFLOW_API_TOKENS", "olga:operator:" + OPERATOR_TOKEN + ",vic:viewer:" + VIEWER_TOKEN);
    env.put("SLACK_SIGNING_SECRET", SLACK_SECRET.reveal());
    env.putAll(settings);
    this.config = ConfigLoader.load(null, env);
    this.client = client;
    this.server = StarterServer.start("127.0.0.1", 0, client, metrics, config);
  }

  URI uri(String path) {
    return URI.create(server.url() + path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postAlerts(String body) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri("/alerts"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + ALERTS_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A REST API call as the operator olga; {@code body} null for none. */
  HttpResponse<String> api(String method, String path, String body)
      throws IOException, InterruptedException {
    return api(method, path, body, Map.of());
  }

  /** The same with more headers (e.g. an {@code Idempotency-Key}). */
  HttpResponse<String> api(String method, String path, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + OPERATOR_TOKEN)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A Slack form body and its headers, signed now. */
  Map<String, String> slackHeaders(byte[] body) {
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    return Map.of(
        "X-Slack-Request-Timestamp",
        timestamp,
        "X-Slack-Signature",
        signer.sign(timestamp, body),
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  /** Workflow runs ever started on this Temporal (open and closed), of any type. */
  int runs() {
    WorkflowServiceGrpc.WorkflowServiceBlockingStub service =
        client.getWorkflowServiceStubs().blockingStub();
    String namespace = client.getOptions().getNamespace();
    return service
            .listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setMaximumPageSize(10_000)
                    .build())
            .getExecutionsCount()
        + service
            .listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setMaximumPageSize(10_000)
                    .build())
            .getExecutionsCount();
  }

  /** A raw response: its status (0 when the server closed without answering) and body. */
  record Raw(int status, String body) {}

  /**
   * Sends {@code head} (request line and headers, ending in an empty line) and {@code body} as they
   * are, then closes the sending side, and reads the answer until the server closes.
   */
  Raw raw(String head, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        socket.shutdownOutput();
      } catch (java.net.SocketException refusedEarly) {
        // The server answered (413) and closed before the whole body was sent: read the answer.
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      try {
        while ((n = in.read(chunk)) != -1) {
          answer.write(chunk, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // Whatever arrived is the answer.
      }
      String text = answer.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        return new Raw(0, text);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      int split = text.indexOf("\r\n\r\n");
      String content = split < 0 ? "" : text.substring(split + 4);
      // Without a body, the status line's reason phrase is the reason given.
      String phrase = text.substring(12, Math.max(12, text.indexOf("\r\n"))).trim();
      return new Raw(status, content.isBlank() ? phrase : content);
    }
  }

  // ---- payloads ----

  /** One Kafka lag alert as Alertmanager 0.25 sends it. */
  static ObjectNode kafkaLag(String deployment, String fingerprint) {
    ObjectNode alert = JSON.createObjectNode();
    alert.put("status", "firing");
    ObjectNode labels = alert.putObject("labels");
    labels.put("alertname", "KafkaConsumerLagHigh");
    labels.put("namespace", "demo");
    labels.put("deployment", deployment);
    labels.put("consumergroup", deployment);
    labels.put("severity", "warning");
    alert.putObject("annotations").put("summary", "lag on " + deployment);
    alert.put("startsAt", "2026-11-23T10:00:00.000Z");
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("generatorURL", "http://prometheus:9090/graph");
    alert.put("fingerprint", fingerprint);
    return alert;
  }

  /** A version 4 notification carrying {@code alerts}. */
  static ObjectNode group(ObjectNode... alerts) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"KafkaConsumerLagHigh\"}");
    payload.put("truncatedAlerts", 0);
    payload.put("status", "firing");
    payload.put("receiver", "opsflow");
    payload.putObject("groupLabels").put("alertname", "KafkaConsumerLagHigh");
    payload.putObject("commonLabels");
    payload.putObject("commonAnnotations");
    payload.put("externalURL", "http://alertmanager:9093");
    ArrayNode list = payload.putArray("alerts");
    for (ObjectNode a : alerts) {
      list.add(a);
    }
    return payload;
  }

  static String kafkaWorkflowId(String deployment) {
    return "heal-kafka-lag-remediation-demo/" + deployment + "/" + deployment;
  }

  @Override
  public void close() throws Exception {
    server.close();
    metrics.close();
  }
}
