package dev.opsflow.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ModelServerActivities} over the model server's HTTP API. */
public final class ModelServerActivitiesImpl implements ModelServerActivities {
  /** Retryable: the server could not be reached, timed out or answered 5xx. */
  public static final String UNAVAILABLE = "ModelServerUnavailable";

  /** Non-retryable: an answer without a usable accuracy; never read as a pass. */
  public static final String UNREADABLE = "ModelEvaluationUnreadable";

  /** How long one evaluation request may take. */
  public static final Duration REQUEST_TIMEOUT = ModelServerOptions.REQUEST_TIMEOUT;

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_BODY_CHARS = 300;
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Logger log = LoggerFactory.getLogger(ModelServerActivitiesImpl.class);

  private final HttpClient http;
  private final String baseUrl;
  private final Duration requestTimeout;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUrl the model server, e.g. {@code http://model-server:8080}; empty = not configured
   */
  public ModelServerActivitiesImpl(HttpClient http, String baseUrl, Duration requestTimeout) {
    this.http = http;
    this.baseUrl = baseUrl == null ? "" : baseUrl.replaceAll("/+$", "");
    this.requestTimeout = requestTimeout;
  }

  public static ModelServerActivitiesImpl fromConfig(OpsflowConfig config) {
    return new ModelServerActivitiesImpl(
        HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build(),
        config.rollout().modelServerUrl(),
        REQUEST_TIMEOUT);
  }

  @Override
  public ModelEvaluation evaluate(String modelVersion) {
    if (baseUrl.isEmpty()) {
      throw FailureTypes.notConfigured(
          "no model server configured (rollout.modelServerUrl / ROLLOUT_MODEL_SERVER_URL)");
    }
    if (modelVersion == null || !VERSION.matcher(modelVersion).matches()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "modelVersion: '" + modelVersion + "' is not a model version", FailureTypes.INVALID_NAME);
    }
    URI uri = URI.create(baseUrl + "/models/" + modelVersion + "/evaluate");
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(
          "model server " + baseUrl + " not reachable: " + e, UNAVAILABLE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while evaluating", UNAVAILABLE);
    }
    int code = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    if (code == 404) {
      throw FailureTypes.notFound(
          "the model server has no version '" + modelVersion + "': " + excerpt(body));
    }
    if (code >= 500 || code == 429) {
      throw ApplicationFailure.newFailure(
          "model server answered " + code + " to evaluate " + modelVersion + ": " + excerpt(body),
          UNAVAILABLE);
    }
    if (code != 200) {
      throw ApplicationFailure.newNonRetryableFailure(
          "model server answered " + code + " to evaluate " + modelVersion + ": " + excerpt(body),
          UNREADABLE);
    }
    ModelEvaluation evaluation = read(modelVersion, body);
    log.info(
        "model {}: accuracy {} ({}/{})",
        modelVersion,
        evaluation.accuracy(),
        evaluation.correct(),
        evaluation.examples());
    return evaluation;
  }

  /** The answer's figures; anything missing or out of range is unreadable, never a pass. */
  private ModelEvaluation read(String modelVersion, String body) {
    JsonNode answer;
    try {
      answer = json.readTree(body);
    } catch (IOException e) {
      throw unreadable(modelVersion, "not JSON: " + excerpt(body));
    }
    JsonNode accuracy = answer == null ? null : answer.get("accuracy");
    if (accuracy == null || !accuracy.isNumber()) {
      throw unreadable(modelVersion, "no numeric 'accuracy' in " + excerpt(body));
    }
    double value = accuracy.asDouble();
    if (!Double.isFinite(value) || value < 0 || value > 1) {
      throw unreadable(modelVersion, "accuracy " + value + " is not a share from 0 to 1");
    }
    int examples = answer.path("examples").asInt(0);
    if (answer.has("examples") && examples <= 0) {
      throw unreadable(modelVersion, "evaluated on " + examples + " examples");
    }
    String version = answer.path("version").asText(modelVersion);
    if (!version.equals(modelVersion)) {
      throw unreadable(modelVersion, "the server answered for version '" + version + "'");
    }
    return new ModelEvaluation(version, examples, answer.path("correct").asInt(0), value);
  }

  private static ApplicationFailure unreadable(String modelVersion, String why) {
    return ApplicationFailure.newNonRetryableFailure(
        "the evaluation of " + modelVersion + " is unreadable: " + why, UNREADABLE);
  }

  private static String excerpt(String body) {
    String flat = body.replaceAll("\\s+", " ").trim();
    return flat.length() <= MAX_BODY_CHARS ? flat : flat.substring(0, MAX_BODY_CHARS) + "...";
  }
}
