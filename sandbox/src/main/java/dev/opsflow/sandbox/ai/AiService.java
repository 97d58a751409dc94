package dev.opsflow.sandbox.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.sandbox.DaemonThreads;
import dev.opsflow.sandbox.LoopbackHttp;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * An AI inference service with the troubles the prebuilt runbooks fix, played for real over HTTP
 * (the JDK's server on 127.0.0.1), with its state readable back by a test. What opsflow calls:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 when the circuit breaker is closed, every dependency answers and
 *       the model is loaded; else 503 naming why. {@code GET /health/dependencies}: 200 when every
 *       dependency ({@value #VECTOR_STORE}, {@value #MODEL_REGISTRY}) answers, else 503 naming the
 *       ones that do not.
 *   <li>{@code POST /circuit-breaker/reset}, {@code POST /cache/clear}: close the breaker, empty
 *       the cache (which frees its memory); each is counted.
 *   <li>{@code GET /memory}: the memory in use as a share of the container's limit, a bare number
 *       ({@code 0.93}), so a check reads it at once (a scrape is a second behind).
 *   <li>{@code POST /jobs/reindex}: a job that needs the service healthy (200, else 503).
 *   <li>{@code POST /rate-limit} {@code {"agent":"bot","requestsPerSecond":20}} and {@code POST
 *       /mitigation} {@code {"block":"anonymous"}}: the edge's answers to a spike.
 *   <li>{@code GET /metrics}: {@code ai_requests_total{service,agent,code}} ({@code agent}: {@code
 *       browser}, {@code bot} (a declared crawler), {@code none} (no user agent)), {@code
 *       ai_requests_blocked_total}, {@code feature_requests_total{service,flag,variant,code}}, and
 *       the gauges {@code ai_service_memory_usage_ratio}, {@code ai_service_circuit_breaker_open}.
 *   <li>{@code GET /state} (everything, JSON) and {@code POST /sandbox/faults} (set troubles by
 *       hand on {@code opsflow dev --sandbox}: {@code {"breakerOpen":true}}, see {@link #faults}).
 * </ul>
 *
 * <p>Its workers are a Deployment ({@link #bindWorkers}): when opsflow restarts it (a new {@code
 * kubectl.kubernetes.io/restartedAt} on the pod template), the service starts afresh before
 * answering its next request: cache and leaked memory gone (unless the leak {@link #leakRecurs
 * recurs}), breaker closed (unless the model {@link #stuck cannot load}).
 *
 * <p>The users are played as counters, not as requests: every 100 ms the offered load ({@link
 * #traffic}) is added to the request counters, less what a rate limit refuses (counted as 429) and
 * what a mitigation blocks; a share of the browser requests gets the feature behind {@link
 * #feature}'s flag (its percentage, at least {@value #DOGFOOD_PERCENT}% for the staff who always
 * have it, so the feature's error ratio is measurable before a rollout starts).
 */
public final class AiService implements AutoCloseable {
  /** The Deployment of its workers that the sandbox seeds. */
  public static final String WORKERS = "ai-workers";

  public static final String VECTOR_STORE = "vector-store";
  public static final String MODEL_REGISTRY = "model-registry";

  /** Memory in use after a fresh start, as a share of the limit. */
  public static final double BASELINE_MEMORY = 0.40;

  /** Staff always get a flagged feature: the share of users that have it at 0%. */
  public static final int DOGFOOD_PERCENT = 1;

  static final long TICK_MILLIS = 100;
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String service;
  private final HttpServer server;
  private final ScheduledExecutorService users;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Counter blocked;
  private final Counter featureRequests;
  private final Gauge memoryGauge;
  private final Gauge breakerGauge;
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> failNext = new ConcurrentHashMap<>();

  // The service's state; every access holds the monitor.
  private boolean breakerOpen;
  private int breakerResets;
  private int cacheClears;
  private final Set<String> downDependencies = new TreeSet<>();
  private boolean stuck;
  private double cacheMemory;
  private double leakedMemory;
  private boolean leakRecurs;
  private int restarts;
  private int jobsRun;
  private double organicPerSecond;
  private double botPerSecond;
  private double anonymousPerSecond;
  private Integer botRateLimit;
  private boolean blockAnonymous;
  private int mitigations;
  private final Map<String, Feature> features = new LinkedHashMap<>();

  // The workers' Deployment, when bound.
  private KubernetesClient cluster;
  private String namespace;
  private String workers;
  private String seenRestart;

  private AiService(String service) {
    this.service = service;
    requests =
        Counter.builder()
            .name("ai_requests_total")
            .help("Requests that reached the service, by user agent class and status code.")
            .labelNames("service", "agent", "code")
            .withoutExemplars()
            .register(registry);
    blocked =
        Counter.builder()
            .name("ai_requests_blocked_total")
            .help("Requests the edge's mitigation blocked before they reached the service.")
            .labelNames("service", "agent")
            .withoutExemplars()
            .register(registry);
    featureRequests =
        Counter.builder()
            .name("feature_requests_total")
            .help("Browser requests by the variant of the flagged feature they got.")
            .labelNames("service", "flag", "variant", "code")
            .withoutExemplars()
            .register(registry);
    memoryGauge =
        Gauge.builder()
            .name("ai_service_memory_usage_ratio")
            .help("Memory in use as a share of the container's limit.")
            .labelNames("service")
            .withoutExemplars()
            .register(registry);
    breakerGauge =
        Gauge.builder()
            .name("ai_service_circuit_breaker_open")
            .help("1 while the circuit breaker to the model backend is open.")
            .labelNames("service")
            .withoutExemplars()
            .register(registry);
    server = LoopbackHttp.create("sandbox-ai-" + service, 4);
    server.createContext("/", this::handle);
    server.start();
    users =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sandbox-ai-users-" + service));
    users.scheduleAtFixedRate(this::tickQuietly, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Starts a healthy service named {@code service} (the {@code service} label of its metrics). */
  public static AiService start(String service) {
    return new AiService(service);
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code host:port}, as a Prometheus scrape target. */
  public String scrapeTarget() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String service() {
    return service;
  }

  /**
   * Binds the service to its workers' Deployment: a rollout restart of it restarts the service. The
   * restart stamp there now counts as already seen.
   */
  public synchronized AiService bindWorkers(KubernetesClient client, String ns, String deployment) {
    this.cluster = client;
    this.namespace = ns;
    this.workers = deployment;
    this.seenRestart = restartStamp();
    return this;
  }

  // ---- troubles, set by a test or by hand ----

  public synchronized AiService openBreaker() {
    breakerOpen = true;
    return this;
  }

  public synchronized AiService dependencyDown(String dependency) {
    downDependencies.add(dependency);
    return this;
  }

  public synchronized AiService dependencyUp(String dependency) {
    downDependencies.remove(dependency);
    return this;
  }

  /** The model cannot load: unhealthy whatever is reset or restarted. */
  public synchronized AiService stuck(boolean stuck) {
    this.stuck = stuck;
    return this;
  }

  /** Memory held by the cache (freed by a clear) and leaked (freed by a restart), as shares. */
  public synchronized AiService memory(double cache, double leaked) {
    this.cacheMemory = cache;
    this.leakedMemory = leaked;
    return this;
  }

  /** The leak comes back at once after a restart (it is in the start-up path). */
  public synchronized AiService leakRecurs(boolean recurs) {
    this.leakRecurs = recurs;
    return this;
  }

  /** Offered load, in requests per second, by user agent class. */
  public synchronized AiService traffic(double browser, double bot, double anonymous) {
    this.organicPerSecond = browser;
    this.botPerSecond = bot;
    this.anonymousPerSecond = anonymous;
    return this;
  }

  /** A feature behind {@code flag}: its rollout percentage, and how often it fails. */
  public synchronized AiService feature(String flag, IntSupplier percentage, double errorRatio) {
    features.put(flag, new Feature(percentage, errorRatio));
    return this;
  }

  /** A flagged feature: where its percentage is read, and the share of its requests that fail. */
  private record Feature(IntSupplier percentage, double errorRatio) {}

  /** The next {@code times} requests to {@code path} answer 503 (a transient failure). */
  public AiService failNext(String path, int times) {
    failNext.put(path, times);
    return this;
  }

  // ---- state, read back ----

  public synchronized boolean breakerOpen() {
    return breakerOpen;
  }

  public synchronized int breakerResets() {
    return breakerResets;
  }

  public synchronized int cacheClears() {
    return cacheClears;
  }

  public synchronized int restarts() {
    return restarts;
  }

  public synchronized int jobsRun() {
    return jobsRun;
  }

  public synchronized double memory() {
    return Math.min(1.0, BASELINE_MEMORY + cacheMemory + leakedMemory);
  }

  public synchronized boolean healthy() {
    return health().isEmpty();
  }

  /** The rate limit on an agent class, or null. */
  public synchronized Integer rateLimit(String agent) {
    return "bot".equals(agent) ? botRateLimit : null;
  }

  public synchronized boolean blockingAnonymous() {
    return blockAnonymous;
  }

  public synchronized int mitigations() {
    return mitigations;
  }

  /** Every request opsflow (or anyone but Prometheus) made, as {@code METHOD /path}. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** The requests that could change something (not GET). */
  public List<String> mutatingCalls() {
    return calls.stream().filter(c -> !c.startsWith("GET ")).toList();
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/metrics")) {
        observeWorkers();
        tickGauges();
        respond(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, exposition());
        return;
      }
      calls.add(method + " " + path);
      observeWorkers();
      if (takeFailure(path)) {
        json(exchange, 503, Map.of("error", "transient failure (sandbox: failNext)"));
        return;
      }
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      route(exchange, method, path, body);
    }
  }

  /** Whether this request to {@code path} is one {@link #failNext} planned to fail. */
  private boolean takeFailure(String path) {
    boolean[] fail = {false};
    failNext.computeIfPresent(
        path,
        (p, n) -> {
          fail[0] = true;
          return n > 1 ? n - 1 : null;
        });
    return fail[0];
  }

  private void route(HttpExchange exchange, String method, String path, String body)
      throws IOException {
    switch (method + " " + path) {
      case "GET /health" -> {
        List<String> why;
        synchronized (this) {
          why = health();
        }
        json(
            exchange,
            why.isEmpty() ? 200 : 503,
            why.isEmpty() ? Map.of("status", "ok") : Map.of("status", "unhealthy", "why", why));
      }
      case "GET /health/dependencies" -> {
        List<String> down;
        synchronized (this) {
          down = new ArrayList<>(downDependencies);
        }
        json(
            exchange,
            down.isEmpty() ? 200 : 503,
            Map.of("dependencies", List.of(VECTOR_STORE, MODEL_REGISTRY), "down", down));
      }
      case "POST /circuit-breaker/reset" -> {
        Map<String, Object> answer = new LinkedHashMap<>();
        synchronized (this) {
          breakerResets++;
          breakerOpen = false;
          answer.put("state", "closed");
          answer.put("resets", breakerResets);
        }
        json(exchange, 200, answer);
      }
      case "POST /cache/clear" -> {
        Map<String, Object> answer = new LinkedHashMap<>();
        synchronized (this) {
          cacheClears++;
          answer.put("freed", cacheMemory);
          cacheMemory = 0;
          answer.put("memory", memory());
        }
        json(exchange, 200, answer);
      }
      case "GET /memory" -> {
        double m;
        synchronized (this) {
          m = memory();
        }
        respond(exchange, 200, "text/plain", String.format(Locale.ROOT, "%.3f", m));
      }
      case "POST /jobs/reindex" -> {
        boolean ok;
        synchronized (this) {
          ok = health().isEmpty();
          if (ok) {
            jobsRun++;
          }
        }
        json(
            exchange,
            ok ? 200 : 503,
            Map.of("job", "reindex", "status", ok ? "done" : "service unhealthy"));
      }
      case "POST /rate-limit" -> rateLimit(exchange, body);
      case "POST /mitigation" -> mitigation(exchange, body);
      case "POST /sandbox/faults" -> faults(exchange, body);
      case "GET /state" -> json(exchange, 200, state());
      default -> json(exchange, 404, Map.of("error", "no " + method + " " + path));
    }
  }

  private void rateLimit(HttpExchange exchange, String body) throws IOException {
    JsonNode request = parse(exchange, body);
    if (request == null) {
      return;
    }
    if (!"bot".equals(request.path("agent").asText())) {
      json(exchange, 400, Map.of("error", "agent: only 'bot' can be rate-limited"));
      return;
    }
    JsonNode limit = request.path("requestsPerSecond");
    if (!limit.isIntegralNumber() || limit.asInt() < 0) {
      json(exchange, 400, Map.of("error", "requestsPerSecond: a whole number >= 0"));
      return;
    }
    synchronized (this) {
      botRateLimit = limit.asInt();
    }
    json(exchange, 200, Map.of("agent", "bot", "requestsPerSecond", limit.asInt()));
  }

  private void mitigation(HttpExchange exchange, String body) throws IOException {
    JsonNode request = parse(exchange, body);
    if (request == null) {
      return;
    }
    if (!"anonymous".equals(request.path("block").asText())) {
      json(
          exchange,
          400,
          Map.of("error", "block: only 'anonymous' (requests without a user agent)"));
      return;
    }
    int n;
    synchronized (this) {
      blockAnonymous = true;
      n = ++mitigations;
    }
    json(exchange, 200, Map.of("blocking", "anonymous", "mitigations", n));
  }

  /**
   * Sets troubles by hand; every field is optional: {@code breakerOpen}, {@code stuck}, {@code
   * dependencyDown} / {@code dependencyUp} (a name), {@code cacheMemory}, {@code leakedMemory},
   * {@code leakRecurs}, {@code browserPerSecond}, {@code botPerSecond}, {@code anonymousPerSecond},
   * {@code feature} (a flag) with its new {@code featureErrorRatio}.
   */
  private void faults(HttpExchange exchange, String body) throws IOException {
    JsonNode f = parse(exchange, body);
    if (f == null) {
      return;
    }
    synchronized (this) {
      if (f.has("breakerOpen")) {
        breakerOpen = f.get("breakerOpen").asBoolean();
      }
      if (f.has("stuck")) {
        stuck = f.get("stuck").asBoolean();
      }
      if (f.has("dependencyDown")) {
        downDependencies.add(f.get("dependencyDown").asText());
      }
      if (f.has("dependencyUp")) {
        downDependencies.remove(f.get("dependencyUp").asText());
      }
      if (f.has("cacheMemory")) {
        cacheMemory = f.get("cacheMemory").asDouble();
      }
      if (f.has("leakedMemory")) {
        leakedMemory = f.get("leakedMemory").asDouble();
      }
      if (f.has("leakRecurs")) {
        leakRecurs = f.get("leakRecurs").asBoolean();
      }
      if (f.has("browserPerSecond")) {
        organicPerSecond = f.get("browserPerSecond").asDouble();
      }
      if (f.has("botPerSecond")) {
        botPerSecond = f.get("botPerSecond").asDouble();
      }
      if (f.has("anonymousPerSecond")) {
        anonymousPerSecond = f.get("anonymousPerSecond").asDouble();
      }
      if (f.has("feature") && features.containsKey(f.get("feature").asText())) {
        String flag = f.get("feature").asText();
        features.put(
            flag,
            new Feature(features.get(flag).percentage(), f.path("featureErrorRatio").asDouble()));
      }
    }
    json(exchange, 200, state());
  }

  private synchronized Map<String, Object> state() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("service", service);
    s.put("healthy", health().isEmpty());
    s.put("why", health());
    s.put("breakerOpen", breakerOpen);
    s.put("breakerResets", breakerResets);
    s.put("cacheClears", cacheClears);
    s.put("dependenciesDown", new ArrayList<>(downDependencies));
    s.put("stuck", stuck);
    s.put("memory", memory());
    s.put("cacheMemory", cacheMemory);
    s.put("leakedMemory", leakedMemory);
    s.put("leakRecurs", leakRecurs);
    s.put("restarts", restarts);
    s.put("jobsRun", jobsRun);
    s.put("browserPerSecond", organicPerSecond);
    s.put("botPerSecond", botPerSecond);
    s.put("anonymousPerSecond", anonymousPerSecond);
    s.put("botRateLimit", botRateLimit);
    s.put("blockingAnonymous", blockAnonymous);
    Map<String, Object> flagged = new LinkedHashMap<>();
    features.forEach((flag, feature) -> flagged.put(flag, feature.errorRatio()));
    s.put("featureErrorRatios", flagged);
    return s;
  }

  /** Why the service is unhealthy; empty when it is healthy. Holds the monitor. */
  private List<String> health() {
    List<String> why = new ArrayList<>();
    if (stuck) {
      why.add("model not loaded");
    }
    if (breakerOpen) {
      why.add("circuit breaker open");
    }
    for (String d : downDependencies) {
      why.add(d + " does not answer");
    }
    return why;
  }

  // ---- the workers ----

  /** A new restart stamp on the workers' pod template restarts the service, once. */
  private void observeWorkers() {
    KubernetesClient client;
    synchronized (this) {
      client = cluster;
    }
    if (client == null) {
      return;
    }
    String stamp = restartStamp();
    synchronized (this) {
      if (stamp != null && !stamp.equals(seenRestart)) {
        seenRestart = stamp;
        restarted();
      }
    }
  }

  private String restartStamp() {
    try {
      Deployment d = cluster.apps().deployments().inNamespace(namespace).withName(workers).get();
      if (d == null || d.getSpec().getTemplate().getMetadata() == null) {
        return null;
      }
      Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
      return annotations == null ? null : annotations.get(RESTARTED_AT);
    } catch (RuntimeException e) {
      // The API server is away (a sandbox shutting down): the workers keep running as they are.
      return seenRestart;
    }
  }

  /** A fresh start: what lived in memory is gone; a stuck model stays stuck. */
  private void restarted() {
    restarts++;
    cacheMemory = 0;
    if (!leakRecurs) {
      leakedMemory = 0;
    }
    breakerOpen = stuck;
  }

  // ---- the users ----

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      // A tick that fails (a flag supplier that throws) must not stop the users.
    }
  }

  private void tick() {
    double seconds = TICK_MILLIS / 1000.0;
    synchronized (this) {
      boolean up = health().isEmpty();
      String code = up ? "200" : "503";
      requests.labelValues(service, "browser", code).inc(organicPerSecond * seconds);
      double bots = botPerSecond * seconds;
      double admitted = botRateLimit == null ? bots : Math.min(bots, botRateLimit * seconds);
      requests.labelValues(service, "bot", code).inc(admitted);
      requests.labelValues(service, "bot", "429").inc(bots - admitted);
      double anonymous = anonymousPerSecond * seconds;
      if (blockAnonymous) {
        blocked.labelValues(service, "none").inc(anonymous);
      } else {
        requests.labelValues(service, "none", code).inc(anonymous);
      }
      for (Map.Entry<String, Feature> f : features.entrySet()) {
        int percent = Math.max(DOGFOOD_PERCENT, f.getValue().percentage().getAsInt());
        double on = organicPerSecond * seconds * percent / 100.0;
        double failed = up ? on * f.getValue().errorRatio() : on;
        featureRequests.labelValues(service, f.getKey(), "on", "200").inc(on - failed);
        featureRequests.labelValues(service, f.getKey(), "on", "500").inc(failed);
        featureRequests
            .labelValues(service, f.getKey(), "off", code)
            .inc(organicPerSecond * seconds - on);
      }
    }
    tickGauges();
  }

  private synchronized void tickGauges() {
    memoryGauge.labelValues(service).set(memory());
    breakerGauge.labelValues(service).set(breakerOpen ? 1 : 0);
  }

  private String exposition() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  // ---- small pieces ----

  private static JsonNode parse(HttpExchange exchange, String body) throws IOException {
    try {
      JsonNode node = JSON.readTree(body.isBlank() ? "{}" : body);
      if (node.isObject()) {
        return node;
      }
    } catch (IOException e) {
      // answered below
    }
    json(exchange, 400, Map.of("error", "the body must be a JSON object"));
    return null;
  }

  private static void json(HttpExchange exchange, int status, Object body) throws IOException {
    respond(exchange, status, "application/json", JSON.writeValueAsString(body));
  }

  private static void respond(HttpExchange exchange, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    users.shutdownNow();
    LoopbackHttp.stop(server);
  }
}
