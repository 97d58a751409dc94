package dev.opsflow.activities.runbook;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.HttpAllowList;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP a runbook may do: a probe ({@code http.probe}: GET or HEAD, answers with the status) and
 * a call ({@code http.call}: an endpoint that resets a breaker or clears a cache). Only {@code
 * http} and {@code https} URLs; the answer's body is cut to {@link #MAX_BODY} characters. A probe's
 * unexpected status is an answer (the check fails); a call's is a failure, final for 4xx and
 * retried for 5xx. No answer at all is retried, and after the retries the step fails: a service
 * that could not be asked is never healthy.
 *
 * <p>Where {@code runbooks.httpAllow} is set, a URL outside it fails the step before any request,
 * not retried, naming the URL's host, never its query string or credentials ({@link
 * HttpAllowList}).
 */
final class HttpRequests {
  static final int MAX_BODY = 4_096;
  static final String UNAVAILABLE = "HttpUnavailable";

  private static final Set<String> PROBE_METHODS = Set.of("GET", "HEAD");
  private static final Set<String> CALL_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH");

  private final HttpClient client;
  private final HttpAllowList allow;

  HttpRequests(HttpClient client) {
    this(client, HttpAllowList.ANY);
  }

  HttpRequests(HttpClient client, HttpAllowList allow) {
    this.client = client;
    this.allow = allow;
  }

  /** Redirects are not followed, so a redirect cannot take a request outside {@code allow}. */
  static HttpRequests withDefaults(HttpAllowList allow) {
    return new HttpRequests(
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build(),
        allow);
  }

  /** GETs (or HEADs) the URL: {@code {status, body}} and whether the status is the one expected. */
  ProbeAnswer probe(
      String url, String method, Integer expectStatus, Map<String, String> headers, long timeout) {
    String m = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
    if (!PROBE_METHODS.contains(m)) {
      throw FailureTypes.invalidInput("http.probe: method must be GET or HEAD, got " + method);
    }
    HttpResponse<String> response = send(url, m, null, headers, timeout, "http.probe");
    boolean passed = expected(response.statusCode(), expectStatus);
    return new ProbeAnswer(
        passed,
        answer(response),
        m + " " + url + ": " + response.statusCode() + (passed ? "" : " (not as expected)"));
  }

  /** Calls the endpoint; a status other than the one expected fails the step. */
  ActionAnswer call(
      String url,
      String method,
      String body,
      Map<String, String> headers,
      Integer expectStatus,
      long timeout) {
    String m = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
    if (!CALL_METHODS.contains(m)) {
      throw FailureTypes.invalidInput(
          "http.call: method " + method + " is not one of " + CALL_METHODS);
    }
    HttpResponse<String> response = send(url, m, body, headers, timeout, "http.call");
    int status = response.statusCode();
    if (!expected(status, expectStatus)) {
      String message = m + " " + url + " answered " + status;
      if (status >= 500 || status == 429 || status == 408) {
        throw FailureTypes.retryable(message, UNAVAILABLE, null);
      }
      throw FailureTypes.invalidInput(message);
    }
    return new ActionAnswer(answer(response), !"GET".equals(m), m + " " + url + ": " + status);
  }

  private HttpResponse<String> send(
      String url,
      String method,
      String body,
      Map<String, String> headers,
      long timeoutSeconds,
      String what) {
    // First, before the URL is even shown in a message: a refusal names only its host.
    Optional<String> refused = allow.refusal(url);
    if (refused.isPresent()) {
      throw FailureTypes.forbiddenTarget(what + ": " + refused.get());
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw FailureTypes.invalidInput(what + ": '" + url + "' is not a URL");
    }
    if (uri.getScheme() == null
        || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
      throw FailureTypes.invalidInput(what + ": only http and https URLs, got '" + url + "'");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(Math.max(1, timeoutSeconds)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers != null) {
      headers.forEach(request::header);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw FailureTypes.retryable(
          what + ": " + url + " did not answer (" + e + ")", UNAVAILABLE, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(what + ": interrupted", UNAVAILABLE, null);
    }
  }

  private static boolean expected(int status, Integer expectStatus) {
    return expectStatus == null ? status >= 200 && status < 300 : status == expectStatus;
  }

  private static Map<String, Object> answer(HttpResponse<String> response) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", response.statusCode());
    String body = response.body() == null ? "" : response.body();
    answer.put("body", body.length() > MAX_BODY ? body.substring(0, MAX_BODY) : body);
    return answer;
  }
}
