package dev.opsflow.activities.rollout.featureflag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouterActivitiesImpl;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FeatureFlagRouter} against a real HTTP server (the JDK's) speaking the flag protocol: what
 * it sends to which flag, how many times, and how each answer is classified, with the bearer token
 * in no failure.
 */
class FeatureFlagRouterTest {
  private static final String TOKEN = "flag-token-9f8e7d6c";
  private static final RolloutTarget TARGET =
      new RolloutTarget("shop", "web", "web", null, "registry.example/web:2.0");
  private static final TrafficRouterSpec.FeatureFlag CHECKOUT =
      new TrafficRouterSpec.FeatureFlag("flags", "new-checkout");

  private HttpServer server;
  private final Map<String, Integer> flags = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  /** When set, every request is answered with this status, the request's headers echoed back. */
  private volatile int forcedStatus;

  private volatile long delayMillis;
  private volatile String forcedBody;
  private FeatureFlagRouter router;

  @BeforeEach
  void startFlagService() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/flags/", this::serve);
    server.start();
    flags.put("new-checkout", 0);
    router = new FeatureFlagRouter(config(url(), Secret.of(TOKEN), Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void setsThePercentageAndReadsItBack() {
    RouterState state = router.setWeight(request(25));

    assertThat(state.canaryWeight()).isEqualTo(25);
    assertThat(state.stableWeight()).isEqualTo(75);
    assertThat(state.changed()).isTrue();
    assertThat(state.detail()).isEqualTo("flag new-checkout on flag service flags: 25%");
    assertThat(flags).containsEntry("new-checkout", 25);
    assertThat(requests)
        .containsExactly(
            "GET /api/flags/new-checkout Bearer " + TOKEN + " ",
            "PUT /api/flags/new-checkout Bearer " + TOKEN + " {\"percentage\":25}",
            "GET /api/flags/new-checkout Bearer " + TOKEN + " ");
  }

  @Test
  void aRetryOfTheSamePercentageOnlyReads() {
    router.setWeight(request(50));
    requests.clear();

    RouterState again = router.setWeight(request(50));

    assertThat(again.changed()).isFalse();
    assertThat(again.canaryWeight()).isEqualTo(50);
    assertThat(requests).containsExactly("GET /api/flags/new-checkout Bearer " + TOKEN + " ");
  }

  @Test
  void readsThePercentageTheServiceHolds() {
    flags.put("new-checkout", 5);

    RouterState state = router.readWeight(TARGET, CHECKOUT);

    assertThat(state.canaryWeight()).isEqualTo(5);
    assertThat(state.stableWeight()).isEqualTo(95);
    assertThat(requests).hasSize(1);
  }

  @Test
  void aServiceWithoutATokenIsCalledWithoutAnAuthorizationHeader() {
    FeatureFlagRouter open =
        new FeatureFlagRouter(config(url(), Secret.empty(), Duration.ofSeconds(2)));

    open.setWeight(request(100));

    assertThat(flags).containsEntry("new-checkout", 100);
    assertThat(requests).allMatch(r -> r.contains(" - "), "no Authorization header");
  }

  @Test
  void anUnknownServiceIsRefusedNamingTheConfiguredOnes() {
    ApplicationFailure failure =
        refusal(
            () ->
                router.setWeight(
                    new WeightRequest(
                        "a1", TARGET, new TrafficRouterSpec.FeatureFlag("flagz", "x"), 5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_CONFIGURED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "router.service: no flag service 'flagz' on this worker (configured in"
                + " featureFlags.services: [flags])");
    assertThat(requests).isEmpty();
  }

  @Test
  void aFlagKeyThatWouldLeaveItsPathIsRefusedBeforeAnyRequest() {
    ApplicationFailure failure =
        refusal(
            () ->
                router.setWeight(
                    new WeightRequest(
                        "a1", TARGET, new TrafficRouterSpec.FeatureFlag("flags", "../admin"), 5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_NAME);
    assertThat(failure.getOriginalMessage()).startsWith("router.flag '../admin' is not valid");
    assertThat(requests).isEmpty();
  }

  @Test
  void aMissingFlagIsNotFoundNamingFlagAndService() {
    ApplicationFailure failure =
        refusal(
            () ->
                router.setWeight(
                    new WeightRequest(
                        "a1", TARGET, new TrafficRouterSpec.FeatureFlag("flags", "nope"), 5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_FOUND);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "flag nope does not exist on flag service flags (flag service flags: GET /flags/nope:"
                + " HTTP 404)");
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedCredentialsAreNotRetriedAndNameServiceAndStatus(int status) {
    forcedStatus = status;

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.PERMISSION_DENIED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .startsWith("flag service flags: GET /flags/new-checkout: HTTP " + status + ": ")
        .endsWith("(is featureFlags.tokens' token for flags right?)");
    assertNoToken(failure);
    assertThat(flags).containsEntry("new-checkout", 0);
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 429})
  void aServiceInTroubleIsRetriedWithTheReason(int status) {
    forcedStatus = status;

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FeatureFlagRouter.UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .startsWith("flag service flags: GET /flags/new-checkout: HTTP " + status + ": ")
        .contains("echo");
    assertNoToken(failure);
  }

  @Test
  void aRefusedRequestIsNotRetried() {
    forcedStatus = 422;

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
    assertNoToken(failure);
  }

  @Test
  void anUnreachableServiceIsRetriedWithTheReason() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    FeatureFlagRouter unreachable =
        new FeatureFlagRouter(
            config("http://127.0.0.1:" + closed, Secret.of(TOKEN), Duration.ofSeconds(2)));

    ApplicationFailure failure = refusal(() -> unreachable.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FeatureFlagRouter.UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .startsWith(
            "flag service flags: GET /flags/new-checkout: could not reach http://127.0.0.1:"
                + closed
                + " (ConnectException");
    assertNoToken(failure);
  }

  @Test
  void aServiceSlowerThanTheTimeoutIsRetried() {
    delayMillis = 1500;
    FeatureFlagRouter impatient =
        new FeatureFlagRouter(config(url(), Secret.of(TOKEN), Duration.ofMillis(300)));

    ApplicationFailure failure = refusal(() -> impatient.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FeatureFlagRouter.UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("flag service flags: GET /flags/new-checkout: no answer within 300 ms");
  }

  @Test
  void anAnswerWithoutAPercentageIsRefusedAsAnotherProtocol() {
    forcedStatus = 200;
    forcedBody = "{\"enabled\":true,\"rollout\":\"25%\"}";

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_CONFIGURED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .startsWith(
            "flag service flags answered GET /flags/new-checkout without a percentage 0-100:"
                + " {\"enabled\":true,\"rollout\":\"25%\"}");
    assertThat(requests).hasSize(1);
  }

  @Test
  void theTokenIsCutFromAnAnswerThatEchoesItEvenOnSuccess() {
    forcedStatus = 200;
    forcedBody = null; // echo the request, token included, as the body: no percentage in it

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getOriginalMessage()).contains("Bearer ****");
    assertNoToken(failure);
  }

  @Test
  void theRouterActivitiesSendAFeatureFlagSpecHere() {
    TrafficRouterActivitiesImpl activities = new TrafficRouterActivitiesImpl(List.of(router));

    RouterState state = activities.setWeight(request(5));

    assertThat(state.canaryWeight()).isEqualTo(5);
    assertThat(flags).containsEntry("new-checkout", 5);
  }

  // ---- the flag service ----

  private void serve(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(method + " " + path + " " + (auth == null ? "-" : auth) + " " + body);
    try {
      Thread.sleep(delayMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String flag = path.substring("/api/flags/".length());
    if (forcedStatus != 0) {
      // An unhelpful service (or a proxy's error page) that echoes the request, token included.
      answer(
          exchange,
          forcedStatus,
          forcedBody != null ? forcedBody : "echo: " + method + " " + path + " auth=" + auth);
    } else if (!("Bearer " + TOKEN).equals(auth) && auth != null) {
      answer(exchange, 401, "{\"error\":\"bad token\"}");
    } else if (!flags.containsKey(flag)) {
      answer(exchange, 404, "{\"error\":\"no such flag\"}");
    } else if (method.equals("GET")) {
      answer(exchange, 200, "{\"key\":\"" + flag + "\",\"percentage\":" + flags.get(flag) + "}");
    } else if (method.equals("PUT")) {
      int percentage = Integer.parseInt(body.replaceAll("[^0-9]", ""));
      flags.put(flag, percentage);
      answer(exchange, 204, null);
    } else {
      answer(exchange, 405, "");
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  private static OpsflowConfig.FeatureFlags config(String url, Secret token, Duration timeout) {
    return new OpsflowConfig.FeatureFlags(
        Map.of("flags", new OpsflowConfig.FlagService(url, token)), timeout);
  }

  private static WeightRequest request(int weight) {
    return new WeightRequest("action-" + weight, TARGET, CHECKOUT, weight);
  }

  private static ApplicationFailure refusal(Runnable call) {
    return catchThrowableOfType(ApplicationFailure.class, call::run);
  }

  /** Neither the failure nor anything it carries (causes, details) holds the token. */
  private static void assertNoToken(ApplicationFailure failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN);
      assertThat(t.toString()).doesNotContain(TOKEN);
    }
    assertThat(failure.getOriginalMessage()).doesNotContain(TOKEN);
    assertThat(String.valueOf(failure.getDetails())).doesNotContain(TOKEN);
  }
}
