package dev.opsflow.activities.rollout.featureflag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.activities.Printable;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouter;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Splits a rollout's traffic with a feature flag's percentage rollout on a flag service, as the
 * gradual-rollout runbook did with {@code enableFeature({percentage})}: the new version serves the
 * flag's percentage of requests, the stable version the rest.
 *
 * <p>The flag service is named by the rollout ({@code {"type":"featureFlag","service":"flags",
 * "flag":"new-checkout"}}) and configured on the worker ({@code featureFlags.services}: its base
 * URL; {@code featureFlags.tokens}: its bearer token, a secret that appears in no message, log or
 * history). The protocol, over HTTP with JSON bodies:
 *
 * <ul>
 *   <li>{@code GET <url>/flags/<flag>} answers 200 {@code {"percentage": n}} (n a whole number
 *       0-100; other fields are ignored), 404 when there is no such flag;
 *   <li>{@code PUT <url>/flags/<flag>} with {@code {"percentage": n}} sets it, answering any 2xx
 *       (the body is not read: the percentage is read back with a GET);
 *   <li>both carry {@code Authorization: Bearer <token>} when the service has a token.
 * </ul>
 *
 * <p>The flag is read first (no PUT when it already holds the percentage: {@code changed=false}),
 * then written and read back. Refused, not retried: an unknown service name ({@code NotConfigured},
 * naming the configured ones), a flag key that is no key ({@code InvalidName}), 401 and 403 ({@code
 * PermissionDenied}), 404 ({@code NotFound}), 400/405/415/422 ({@code InvalidInput}), an answer
 * without a percentage ({@code NotConfigured}: not this protocol). Retried ({@value #UNAVAILABLE}):
 * 5xx, 408, 409, 429, connection failures and answers slower than {@code featureFlags.timeout}.
 */
public final class FeatureFlagRouter implements TrafficRouter {
  /** The failure type of a flag service that may recover (5xx, unreachable, too slow). */
  public static final String UNAVAILABLE = "FlagServiceUnavailable";

  /** A flag key: it becomes a URL path segment, so nothing that could leave it. */
  private static final Pattern FLAG_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final String FLAG_RULE =
      "a flag key is 1-128 letters, digits, '.', '_' and '-', starting with a letter or digit";

  /** How much of a refusing answer's body a message shows. */
  private static final int SHOWN_BODY = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, OpsflowConfig.FlagService> services;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param config the worker's flag services and the timeout of one call ({@code featureFlags.*})
   */
  public FeatureFlagRouter(OpsflowConfig.FeatureFlags config) {
    this.services = Map.copyOf(config.services());
    this.timeout = config.timeout();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public Class<? extends TrafficRouterSpec> handles() {
    return TrafficRouterSpec.FeatureFlag.class;
  }

  @Override
  public RouterState setWeight(WeightRequest request) {
    Flag flag = flag(request.router());
    int weight = request.weight();
    if (flag.percentage() == weight) {
      return flag.state(false);
    }
    flag.set(weight);
    Flag read = flag(request.router());
    if (read.percentage() != weight) {
      throw FailureTypes.retryable(
          read.where()
              + ": set to "
              + weight
              + "%, reads back "
              + read.percentage()
              + "% (another writer changed it)",
          UNAVAILABLE,
          null);
    }
    return read.state(true);
  }

  @Override
  public RouterState readWeight(RolloutTarget target, TrafficRouterSpec router) {
    return flag(router).state(false);
  }

  /** The flag as the service holds it now (one GET), its name and service checked first. */
  private Flag flag(TrafficRouterSpec router) {
    if (!(router instanceof TrafficRouterSpec.FeatureFlag spec)) {
      throw FailureTypes.invalidInput(
          "router: expected a featureFlag router, got " + router.getClass().getSimpleName());
    }
    OpsflowConfig.FlagService service = services.get(spec.service());
    if (service == null) {
      throw FailureTypes.notConfigured(
          "router.service: no flag service "
              + Printable.quoted(spec.service())
              + " on this worker (configured in featureFlags.services: "
              + new TreeSet<>(services.keySet())
              + ")");
    }
    if (spec.flag() == null || !FLAG_KEY.matcher(spec.flag()).matches()) {
      throw FailureTypes.invalidName(
          new InvalidNameException("router.flag", spec.flag(), FLAG_RULE));
    }
    Flag unread = new Flag(spec.service(), service, spec.flag(), -1);
    HttpResponse<String> answer = unread.call("GET", null);
    return new Flag(spec.service(), service, spec.flag(), unread.percentageIn(answer));
  }

  /** One flag on one service, with the percentage last read (-1: not read). */
  private final class Flag {
    private final String serviceName;
    private final OpsflowConfig.FlagService service;
    private final String key;
    private final int percentage;

    Flag(String serviceName, OpsflowConfig.FlagService service, String key, int percentage) {
      this.serviceName = serviceName;
      this.service = service;
      this.key = key;
      this.percentage = percentage;
    }

    int percentage() {
      return percentage;
    }

    void set(int weight) {
      call("PUT", "{\"percentage\":" + weight + "}");
    }

    RouterState state(boolean changed) {
      return new RouterState(
          percentage,
          100 - percentage,
          changed,
          "flag " + key + " on flag service " + serviceName + ": " + percentage + "%");
    }

    String where() {
      return "flag " + key + " on flag service " + serviceName;
    }

    HttpResponse<String> call(String method, String body) {
      String what = "flag service " + serviceName + ": " + method + " /flags/" + key;
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(service.url() + "/flags/" + key))
              .timeout(timeout)
              .header("Accept", "application/json");
      if (service.token().isPresent()) {
        request.header("Authorization", "Bearer " + service.token().reveal());
      }
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> answer;
      try {
        answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw unavailable(what + ": no answer within " + timeout.toMillis() + " ms", e);
      } catch (IOException e) {
        throw unavailable(
            what
                + ": could not reach "
                + service.url()
                + " ("
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + ")",
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(what + ": interrupted", e);
      }
      int status = answer.statusCode();
      if (status / 100 == 2) {
        return answer;
      }
      String message = redacted(what + ": HTTP " + status + shown(answer.body()));
      switch (status) {
        case 401, 403 ->
            throw FailureTypes.permissionDenied(
                message + " (is featureFlags.tokens' token for " + serviceName + " right?)");
        case 404 ->
            throw FailureTypes.notFound(
                redacted(
                    "flag "
                        + key
                        + " does not exist on flag service "
                        + serviceName
                        + " ("
                        + what
                        + ": HTTP 404)"));
        case 400, 405, 415, 422 -> throw FailureTypes.invalidInput(message);
        default -> throw FailureTypes.retryable(message, UNAVAILABLE, null);
      }
    }

    int percentageIn(HttpResponse<String> answer) {
      JsonNode n;
      try {
        n = JSON.readTree(answer.body()).path("percentage");
      } catch (IOException e) {
        n = null;
      }
      if (n == null
          || !n.canConvertToInt()
          || !n.isIntegralNumber()
          || n.asInt() < 0
          || n.asInt() > 100) {
        throw FailureTypes.notConfigured(
            redacted(
                "flag service "
                    + serviceName
                    + " answered GET /flags/"
                    + key
                    + " without a percentage 0-100"
                    + shown(answer.body())
                    + "; opsflow's flag protocol answers {\"percentage\": n} (README: Traffic"
                    + " routers)"));
      }
      return n.asInt();
    }

    private ApplicationFailure unavailable(String message, Throwable cause) {
      // The cause's own message is dropped: only ours, redacted, reaches the history.
      return FailureTypes.retryable(
          redacted(message), UNAVAILABLE, new IOException(cause.getClass().getSimpleName()));
    }

    /** The message with the token cut out, whatever echoed it (a service, a proxy's page). */
    private String redacted(String message) {
      String token = service.token().reveal();
      return token.isEmpty() ? message : message.replace(token, "****");
    }
  }

  private static String shown(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return ": "
        + (oneLine.length() > SHOWN_BODY ? oneLine.substring(0, SHOWN_BODY) + "..." : oneLine);
  }
}
