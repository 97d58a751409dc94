package dev.opsflow.activities.rollout.httproute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.CrudApiServer;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouterActivitiesImpl;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpRouteRouter} against fabric8's mock API server in CRUD mode holding real HTTPRoutes:
 * what it writes to which route's rules, how many times, and what it refuses before any request.
 */
class HttpRouteRouterIT {
  private static final String NS = "shop";
  private static final String ROUTES =
      "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes";
  private static final RolloutTarget TARGET =
      new RolloutTarget(NS, "web", "web", null, "registry.example/web:2.0");
  private static final TrafficRouterSpec.HttpRoute WEB =
      new TrafficRouterSpec.HttpRoute("web", "web-stable", "web-canary");

  private static final CustomResourceDefinitionContext HTTP_ROUTES =
      new CustomResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withScope("Namespaced")
          .build();

  private CrudApiServer api;
  private HttpRouteRouter router;

  @BeforeEach
  void start() throws InterruptedException {
    api = new CrudApiServer();
    api.server.expectCustomResource(HTTP_ROUTES);
    api.namespace(NS);
    api.namespace("kube-system");
    router = new HttpRouteRouter(api.client, new NamespaceAllowList(List.of(NS)));
    api.drain();
  }

  @AfterEach
  void stop() {
    router.close();
    api.close();
  }

  @Test
  void setsCanaryAndStableWeightsOnEveryRuleNamingBothBackendsAndNoOther() throws Exception {
    route(
        NS,
        "web",
        rule("api", ref("web-stable", 100), ref("web-canary", 0)),
        rule("legacy", ref("web-legacy", null)),
        rule("checkout", ref("web-canary", 0), ref("web-stable", 100)));
    api.drain();

    RouterState state = router.setWeight(request(25));

    assertThat(state.canaryWeight()).isEqualTo(25);
    assertThat(state.stableWeight()).isEqualTo(75);
    assertThat(state.changed()).isTrue();
    assertThat(state.detail())
        .isEqualTo(
            "HTTPRoute shop/web weights web-stable 75, web-canary 25; web-stable 75, web-canary 25");
    HTTPRoute stored = stored(NS, "web");
    assertThat(weights(stored.getSpec().getRules().get(0)))
        .isEqualTo(Map.of("web-stable", 75, "web-canary", 25));
    assertThat(stored.getSpec().getRules().get(1).getBackendRefs().get(0).getWeight())
        .as("a rule without the canary is left as it was")
        .isNull();
    assertThat(weights(stored.getSpec().getRules().get(2)))
        .isEqualTo(Map.of("web-stable", 75, "web-canary", 25));
    assertThat(writes(api.drain())).containsExactly("PATCH " + ROUTES + "/web");
  }

  @Test
  void aRetryOfTheSameWeightChangesNothingAndWritesNothing() throws Exception {
    route(NS, "web", rule("api", ref("web-stable", 100), ref("web-canary", 0)));
    router.setWeight(request(50));
    api.drain();

    RouterState again = router.setWeight(request(50));

    assertThat(again.changed()).isFalse();
    assertThat(again.canaryWeight()).isEqualTo(50);
    assertThat(again.stableWeight()).isEqualTo(50);
    assertThat(writes(api.drain())).isEmpty();
  }

  @Test
  void theFullStepsFromFiveToAHundredAndBackToZeroLandOnTheRoute() throws Exception {
    route(NS, "web", rule("api", ref("web-stable", null), ref("web-canary", null)));
    for (int weight : new int[] {5, 25, 50, 100, 0}) {
      RouterState state = router.setWeight(request(weight));
      assertThat(state.canaryWeight()).isEqualTo(weight);
      assertThat(weights(stored(NS, "web").getSpec().getRules().get(0)))
          .isEqualTo(Map.of("web-stable", 100 - weight, "web-canary", weight));
    }
  }

  @Test
  void aWriteThatLostToAConcurrentChangeIsReadAgainAndMadeOnTopOfIt() throws Exception {
    // A server whose CRUD store takes another writer's change just before the router's first
    // write, which therefore carries a stale resourceVersion: the mock answers it 409 itself.
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    AtomicBoolean otherWriterPending = new AtomicBoolean(true);
    List<String> patches = new java.util.concurrent.CopyOnWriteArrayList<>();
    KubernetesMixedDispatcher dispatcher =
        new KubernetesMixedDispatcher(expectations) {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (!request.getMethod().equals("PATCH")
                || !request.getPath().startsWith(ROUTES + "/web?")) {
              return super.dispatch(request);
            }
            // Reading the body consumes it: keep a copy, pass on a fresh one.
            String body = request.getUtf8Body();
            patches.add(body);
            if (otherWriterPending.getAndSet(false)) {
              super.dispatch(
                  new RecordedRequest(
                      "HTTP/1.1",
                      HttpMethod.PATCH,
                      ROUTES + "/web",
                      Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                      new Buffer()
                          .writeUtf8("{\"metadata\":{\"labels\":{\"team\":\"checkout\"}}}")));
            }
            return super.dispatch(
                new RecordedRequest(
                    "HTTP/1.1",
                    request.method(),
                    request.getPath(),
                    request.getHeaders(),
                    new Buffer().writeUtf8(body)));
          }
        };
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), expectations, dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient();
        HttpRouteRouter racing = new HttpRouteRouter(client, new NamespaceAllowList(List.of(NS)))) {
      server.expectCustomResource(HTTP_ROUTES);
      route(client, NS, "web", rule("api", ref("web-stable", 100), ref("web-canary", 0)));
      String asCreated = stored(client, NS, "web").getMetadata().getResourceVersion();
      drain(server);

      RouterState state = racing.setWeight(request(5));

      assertThat(state.canaryWeight()).isEqualTo(5);
      HTTPRoute stored = stored(client, NS, "web");
      assertThat(weights(stored.getSpec().getRules().get(0)))
          .isEqualTo(Map.of("web-stable", 95, "web-canary", 5));
      assertThat(stored.getMetadata().getLabels())
          .as("the other writer's change is kept, not overwritten")
          .containsEntry("team", "checkout");
      assertThat(patches)
          .as("the write refused with 409, then the one made after reading again")
          .hasSize(2);
      assertThat(patches.get(0))
          .contains(
              "{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
                  + asCreated
                  + "\"}");
      assertThat(patches.get(1))
          .contains("/metadata/resourceVersion")
          .doesNotContain("\"value\":\"" + asCreated + "\"");
    } finally {
      server.destroy();
    }
  }

  @Test
  void readsTheSplitAsTheRouteHoldsItWithTheGatewayDefaultWeightOfOne() {
    route(NS, "web", rule("api", ref("web-stable", null), ref("web-canary", null)));

    RouterState state = router.readWeight(TARGET, WEB);

    assertThat(state.canaryWeight()).isEqualTo(50);
    assertThat(state.stableWeight()).isEqualTo(50);
    assertThat(state.changed()).isFalse();
    assertThat(state.detail()).isEqualTo("HTTPRoute shop/web weights web-stable 1, web-canary 1");
  }

  @Test
  void refusesAMissingRouteAsNotFoundNamingIt() throws Exception {
    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_FOUND);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("HTTPRoute shop/web does not exist");
    assertThat(writes(api.drain())).isEmpty();
  }

  @Test
  void refusesARouteWithoutARuleNamingBothBackendsNamingRouteAndBackends() throws Exception {
    route(NS, "web", rule("api", ref("web-stable", 100)), rule("beta", ref("web-canary", 100)));
    api.drain();

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "HTTPRoute shop/web has no rule whose backendRefs name both web-stable"
                + " (router.stableBackend) and web-canary (router.canaryBackend)");
    assertThat(writes(api.drain())).isEmpty();
  }

  @Test
  void refusesARuleThatAlsoSendsTrafficToAThirdBackend() throws Exception {
    route(
        NS, "web", rule("api", ref("web-stable", 80), ref("web-canary", 0), ref("web-legacy", 20)));
    api.drain();

    ApplicationFailure failure = refusal(() -> router.setWeight(request(5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.getOriginalMessage())
        .contains("HTTPRoute shop/web rule 'api' (#0) sends traffic to [web-legacy]");
    assertThat(writes(api.drain())).isEmpty();
    assertThat(weights(stored(NS, "web").getSpec().getRules().get(0)))
        .containsEntry("web-legacy", 20)
        .containsEntry("web-stable", 80);
  }

  @Test
  void refusesANamespaceOutsideTheAllowListBeforeAnyRequest() throws Exception {
    route("kube-system", "web", rule("api", ref("web-stable", 100), ref("web-canary", 0)));
    api.drain();

    ApplicationFailure failure =
        refusal(
            () ->
                router.setWeight(
                    new WeightRequest(
                        "a1",
                        new RolloutTarget("kube-system", "web", "web", null, "web:2"),
                        WEB,
                        50)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("HTTPRoute web in namespace 'kube-system' refused")
        .contains("kubernetes.allowedNamespaces");
    assertThat(api.drain()).as("no request at all").isEmpty();
    assertThat(weights(stored("kube-system", "web").getSpec().getRules().get(0)))
        .containsEntry("web-canary", 0);
  }

  @Test
  void refusesANameThatCannotBeOneBeforeAnyRequest() throws Exception {
    api.drain();

    ApplicationFailure failure =
        refusal(
            () ->
                router.setWeight(
                    new WeightRequest(
                        "a1",
                        TARGET,
                        new TrafficRouterSpec.HttpRoute("../../kube-system/x", "web-stable", "c"),
                        5)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_NAME);
    assertThat(failure.getOriginalMessage()).startsWith("router.route '../../kube-system/x'");
    assertThat(api.drain()).isEmpty();
  }

  @Test
  void anUnreachableApiServerIsRetryableNamingTheKubernetesApi() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (KubernetesClient dead =
            new KubernetesClientBuilder()
                .withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + closed)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        HttpRouteRouter unreachable =
            new HttpRouteRouter(dead, new NamespaceAllowList(List.of(NS)))) {
      ApplicationFailure failure = refusal(() -> unreachable.setWeight(request(5)));

      assertThat(failure.getType()).isEqualTo("KubernetesUnavailable");
      assertThat(failure.isNonRetryable()).isFalse();
      assertThat(failure.getOriginalMessage())
          .startsWith("set the weights of HTTPRoute shop/web: the Kubernetes API server did not");
    }
  }

  @Test
  void theRouterActivitiesSendAnHttpRouteSpecHere() {
    route(NS, "web", rule("api", ref("web-stable", 100), ref("web-canary", 0)));
    TrafficRouterActivitiesImpl activities = new TrafficRouterActivitiesImpl(List.of(router));

    RouterState state = activities.setWeight(request(25));

    assertThat(state.canaryWeight()).isEqualTo(25);
    assertThat(weights(stored(NS, "web").getSpec().getRules().get(0)))
        .isEqualTo(Map.of("web-stable", 75, "web-canary", 25));
  }

  // ---- the cluster's routes ----

  private static WeightRequest request(int weight) {
    return new WeightRequest("action-" + weight, TARGET, WEB, weight);
  }

  private void route(String namespace, String name, HTTPRouteRule... rules) {
    route(api.client, namespace, name, rules);
  }

  private static void route(
      KubernetesClient client, String namespace, String name, HTTPRouteRule... rules) {
    client
        .resources(HTTPRoute.class)
        .inNamespace(namespace)
        .resource(
            new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("public")
                .endParentRef()
                .withRules(Arrays.asList(rules))
                .endSpec()
                .build())
        .create();
  }

  private static HTTPRouteRule rule(String name, HTTPBackendRef... refs) {
    return new HTTPRouteRuleBuilder().withName(name).withBackendRefs(refs).build();
  }

  private static HTTPBackendRef ref(String service, Integer weight) {
    return new HTTPBackendRefBuilder().withName(service).withPort(80).withWeight(weight).build();
  }

  private HTTPRoute stored(String namespace, String name) {
    return stored(api.client, namespace, name);
  }

  private static HTTPRoute stored(KubernetesClient client, String namespace, String name) {
    return client.resources(HTTPRoute.class).inNamespace(namespace).withName(name).get();
  }

  private static List<RecordedRequest> drain(KubernetesMockServer server)
      throws InterruptedException {
    List<RecordedRequest> requests = new java.util.ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests;
  }

  private static Map<String, Integer> weights(HTTPRouteRule rule) {
    return rule.getBackendRefs().stream()
        .collect(java.util.stream.Collectors.toMap(HTTPBackendRef::getName, r -> r.getWeight()));
  }

  /** The mutating requests, as "METHOD path". */
  private static List<String> writes(List<RecordedRequest> requests) {
    return requests.stream()
        .filter(r -> !r.getMethod().equals("GET"))
        .map(r -> r.getMethod() + " " + r.getPath().replaceAll("\\?.*", ""))
        .toList();
  }

  private static ApplicationFailure refusal(Runnable call) {
    return catchThrowableOfType(ApplicationFailure.class, call::run);
  }
}
