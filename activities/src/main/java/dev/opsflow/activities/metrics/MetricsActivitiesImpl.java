package dev.opsflow.activities.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.Measurement;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link MetricsActivities} over the Prometheus HTTP API with one shared {@link HttpClient}. */
public final class MetricsActivitiesImpl implements MetricsActivities {
  /** Retryable failure type: Prometheus could not be reached or did not answer in time. */
  public static final String UNAVAILABLE = "PrometheusUnavailable";

  /** Retryable failure type: Prometheus answered with an error that may pass (422, 429, 5xx). */
  public static final String PROMETHEUS_ERROR = "PrometheusError";

  /** How long one HTTP request may take before the attempt fails as unavailable. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Prometheus refuses range queries with more points per series than this. */
  public static final int MAX_POINTS_PER_SERIES = 11_000;

  /** Longer queries are POSTed as a form, so that no proxy truncates or rejects a long URL. */
  static final int MAX_GET_PARAMETERS_LENGTH = 2_000;

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_ERROR_BODY_CHARS = 300;
  private static final Logger log = LoggerFactory.getLogger(MetricsActivitiesImpl.class);

  private final HttpClient http;
  private final URI baseUrl;
  private final Duration requestTimeout;
  private final ObjectMapper json = new ObjectMapper();
  private final AnalysisMeasurement analysis = new AnalysisMeasurement(this::instantQuery);

  /**
   * @param http the client every request uses
   * @param baseUrl Prometheus' base URL, e.g. {@code http://prometheus:9090} or one with a path
   *     prefix such as {@code http://gateway/prometheus}
   * @param requestTimeout how long one request may take
   */
  public MetricsActivitiesImpl(HttpClient http, String baseUrl, Duration requestTimeout) {
    this.http = http;
    this.baseUrl = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    this.requestTimeout = requestTimeout;
  }

  public static MetricsActivitiesImpl fromConfig(OpsflowConfig config) {
    return new MetricsActivitiesImpl(
        HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build(),
        config.prometheus().url(),
        DEFAULT_REQUEST_TIMEOUT);
  }

  @Override
  public InstantQueryResult instantQuery(InstantQuery query) {
    if (query == null) {
      throw FailureTypes.invalidInput("instantQuery needs a request with a query");
    }
    String promql = requireQuery(query.query());
    Map<String, String> params = new LinkedHashMap<>();
    params.put("query", promql);
    if (query.timeEpochSeconds() != null) {
      params.put("time", Long.toString(query.timeEpochSeconds()));
    }
    JsonNode data = call("api/v1/query", params, "instant query " + promql);
    String resultType = data.path("resultType").asText();
    JsonNode result = data.path("result");
    List<MetricSample> samples = new ArrayList<>();
    switch (resultType) {
      case "vector" -> {
        for (JsonNode series : result) {
          JsonNode value = series.path("value");
          samples.add(
              new MetricSample(
                  labels(series.path("metric")), number(value.path(1)), value.path(0).asDouble()));
        }
      }
      case "scalar" ->
          samples.add(
              new MetricSample(Map.of(), number(result.path(1)), result.path(0).asDouble()));
      case "matrix" ->
          throw FailureTypes.invalidInput(
              "instant query "
                  + promql
                  + " yields a range vector; use rangeQuery, or wrap it in a function such as"
                  + " rate() or max_over_time()");
      default ->
          throw FailureTypes.invalidInput(
              "instant query " + promql + " yields a " + resultType + ", not a number");
    }
    QueryOutcome outcome = samples.isEmpty() ? QueryOutcome.EMPTY : QueryOutcome.VALUE;
    log.debug("instant query {} -> {} with {} samples", promql, outcome, samples.size());
    return new InstantQueryResult(outcome, List.copyOf(samples));
  }

  @Override
  public RangeQueryResult rangeQuery(RangeQuery query) {
    if (query == null) {
      throw FailureTypes.invalidInput("rangeQuery needs a request with a query");
    }
    String promql = requireQuery(query.query());
    if (query.stepSeconds() <= 0) {
      throw FailureTypes.invalidInput("stepSeconds must be > 0, was " + query.stepSeconds());
    }
    if (query.endEpochSeconds() < query.startEpochSeconds()) {
      throw FailureTypes.invalidInput(
          "endEpochSeconds "
              + query.endEpochSeconds()
              + " is before startEpochSeconds "
              + query.startEpochSeconds());
    }
    long points = (query.endEpochSeconds() - query.startEpochSeconds()) / query.stepSeconds() + 1;
    if (points > MAX_POINTS_PER_SERIES) {
      throw FailureTypes.invalidInput(
          "range of "
              + points
              + " steps exceeds the limit of "
              + MAX_POINTS_PER_SERIES
              + "; use a larger stepSeconds or a shorter range");
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("query", promql);
    params.put("start", Long.toString(query.startEpochSeconds()));
    params.put("end", Long.toString(query.endEpochSeconds()));
    params.put("step", Long.toString(query.stepSeconds()));
    JsonNode data = call("api/v1/query_range", params, "range query " + promql);
    String resultType = data.path("resultType").asText();
    if (!resultType.equals("matrix")) {
      throw FailureTypes.invalidInput(
          "range query " + promql + " yields a " + resultType + ", not a range of numbers");
    }
    List<MetricSeries> series = new ArrayList<>();
    for (JsonNode s : data.path("result")) {
      List<MetricPoint> values = new ArrayList<>();
      for (JsonNode point : s.path("values")) {
        values.add(new MetricPoint(point.path(0).asDouble(), number(point.path(1))));
      }
      series.add(new MetricSeries(labels(s.path("metric")), List.copyOf(values)));
    }
    QueryOutcome outcome = series.isEmpty() ? QueryOutcome.EMPTY : QueryOutcome.VALUE;
    log.debug("range query {} -> {} with {} series", promql, outcome, series.size());
    return new RangeQueryResult(outcome, List.copyOf(series));
  }

  @Override
  public Measurement measure(MeasurementRequest request) {
    Measurement measurement = analysis.measure(request);
    log.debug(
        "measured {}: {} {}", measurement.metric(), measurement.phase(), measurement.message());
    return measurement;
  }

  @Override
  public void validateAnalysis(AnalysisTemplate template, AnalysisSubject subject) {
    List<String> problems = new ArrayList<>(AnalysisConditions.problems(template));
    if (subject == null) {
      problems.add("subject: is required");
    } else {
      subject.problems().forEach(p -> problems.add("subject." + p));
      if (problems.isEmpty()) {
        for (var metric : template.metrics()) {
          AnalysisConditions.problems(metric, subject).stream()
              .filter(p -> p.startsWith("subject."))
              .forEach(p -> problems.add(p + " (metric " + metric.name() + ")"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw FailureTypes.invalidInput("analysis refused: " + String.join("; ", problems));
    }
  }

  private static String requireQuery(String query) {
    if (query == null || query.isBlank()) {
      throw FailureTypes.invalidInput("query is required");
    }
    return query.trim();
  }

  /** Sends one API request and returns its {@code data} object, or throws the classified error. */
  private JsonNode call(String path, Map<String, String> params, String doing) {
    String form = formEncode(params);
    HttpRequest.Builder request =
        HttpRequest.newBuilder().timeout(requestTimeout).header("Accept", "application/json");
    if (form.length() <= MAX_GET_PARAMETERS_LENGTH) {
      request.uri(baseUrl.resolve(path + "?" + form)).GET();
    } else {
      request
          .uri(baseUrl.resolve(path))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form));
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw FailureTypes.retryable(
          doing + " failed: Prometheus at " + host() + " did not answer in time", UNAVAILABLE, e);
    } catch (ConnectException e) {
      throw FailureTypes.retryable(
          doing + " failed: cannot connect to Prometheus at " + host(), UNAVAILABLE, e);
    } catch (IOException e) {
      throw FailureTypes.retryable(
          doing + " failed: " + e.getClass().getSimpleName() + " talking to " + host(),
          UNAVAILABLE,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(doing + " interrupted", UNAVAILABLE, e);
    }
    return data(response, doing);
  }

  private JsonNode data(HttpResponse<String> response, String doing) {
    int status = response.statusCode();
    JsonNode body = parse(response.body());
    if (status >= 200 && status < 300) {
      if (body == null || !"success".equals(body.path("status").asText())) {
        throw FailureTypes.retryable(
            doing
                + " failed: HTTP "
                + status
                + " without a Prometheus success response: "
                + snippet(response.body()),
            PROMETHEUS_ERROR,
            null);
      }
      if (body.has("warnings")) {
        log.warn("{}: Prometheus warns {}", doing, body.get("warnings"));
      }
      return body.path("data");
    }
    String reason =
        body != null && body.has("error")
            ? body.path("errorType").asText("error") + ": " + body.path("error").asText()
            : snippet(response.body());
    String message = doing + " failed: HTTP " + status + " " + reason;
    throw classify(status, message);
  }

  /** Maps an HTTP error status to the failure type the retry policy acts on. */
  static ApplicationFailure classify(int status, String message) {
    return switch (status) {
      case 400 -> FailureTypes.invalidInput(message);
      case 401, 403 -> FailureTypes.permissionDenied(message);
      case 404 -> FailureTypes.notFound(message + " (is prometheus.url the Prometheus base URL?)");
      default -> FailureTypes.retryable(message, PROMETHEUS_ERROR, null);
    };
  }

  private JsonNode parse(String body) {
    try {
      JsonNode node = json.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      // Proxies answer with HTML; the caller reports the raw body instead.
      return null;
    }
  }

  private static Map<String, String> labels(JsonNode metric) {
    Map<String, String> labels = new TreeMap<>();
    metric.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  /** Prometheus sends values as strings, with {@code NaN}, {@code +Inf} and {@code -Inf}. */
  static double number(JsonNode value) {
    String text = value.asText();
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw FailureTypes.retryable(
              "Prometheus sent a value that is not a number: " + snippet(text),
              PROMETHEUS_ERROR,
              e);
        }
      }
    };
  }

  private String host() {
    return baseUrl.getHost() + (baseUrl.getPort() < 0 ? "" : ":" + baseUrl.getPort());
  }

  private static String formEncode(Map<String, String> params) {
    StringJoiner joiner = new StringJoiner("&");
    params.forEach(
        (k, v) ->
            joiner.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return joiner.toString();
  }

  private static String snippet(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_ERROR_BODY_CHARS
        ? flat
        : flat.substring(0, MAX_ERROR_BODY_CHARS) + "...";
  }
}
