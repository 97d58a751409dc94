package dev.opsflow.starter.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.Printable;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.contracts.failover.FailoverStarted;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.starter.http.RequestBody;
import dev.opsflow.starter.http.TemporalDeadline;
import io.grpc.StatusRuntimeException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowServiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /alerts}: Alertmanager's webhook receiver. Parses, authenticates, routes and
 * dispatches; every decision about acting is the remediation workflow's. Answers 202 only after
 * Temporal accepted every notice, 4xx with a reason for bad input (Alertmanager does not retry
 * those), and 503 when Temporal is unavailable so that Alertmanager retries.
 */
public final class AlertWebhook implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);
  private static final String UNROUTABLE = "unroutable|";

  /**
   * Longest fingerprint and startsAt accepted: Alertmanager's are 16 hex digits and an RFC 3339
   * time; both go into every notice the workflow keeps.
   */
  static final int MAX_EPISODE_FIELD = 64;

  /**
   * Longest label name and value taken at the door. Label values that go into a target (and so into
   * a workflow ID or a search attribute) are held to {@link AlertRouter#MAX_TARGET_LABEL} by the
   * router; the others only travel in the notice, and this bound keeps the notice small.
   */
  static final int MAX_LABEL = 1024;

  /** Longest annotation value (summaries and descriptions are prose, so more room). */
  static final int MAX_ANNOTATION = 16 * 1024;

  /** Most labels plus annotations on one alert. */
  static final int MAX_ENTRIES = 256;

  /**
   * Resolved notices delivered to Temporal at once for one starter (shared by all requests); firing
   * ones go through the group commit on gRPC's asynchronous stub and hold no thread.
   */
  private static final int PARALLEL_DISPATCH = 16;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final WebhookAuth auth;
  private final AlertRouter router;
  private final RemediationDispatcher dispatcher;
  private final RecentEpisodes recent;
  private final MeterRegistry metrics;
  private final RequestBody body;
  private final TemporalDeadline deadline;
  private final int maxAlerts;
  private final ExecutorService dispatching;
  private final NoticeGroupCommit groupCommit;
  private final FailoverTrigger failovers;
  private final RunbookTrigger runbooks;

  /** At most one "Temporal unavailable" line per this interval (the count says the rest). */
  private static final long UNAVAILABLE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final AtomicLong lastUnavailableLog =
      new AtomicLong(System.nanoTime() - UNAVAILABLE_LOG_INTERVAL_NANOS);
  private final AtomicLong unavailableSinceLog = new AtomicLong();

  /**
   * @param body reads the body within the server's size and time limits
   * @param deadline how long one notification may wait for Temporal before the answer is 503
   * @param maxAlerts most alerts in one notification (413 beyond; Alertmanager's {@code max_alerts}
   *     should be at most this)
   * @param noticeWindow how long a problem's first notice waits for others to share its signal
   *     ({@code http.noticeWindow})
   * @param failovers starts the failovers that {@code PostgresFailover} routes ask for
   * @param runbooks starts the runbooks that {@code runbook:} routes ask for
   */
  public AlertWebhook(
      WebhookAuth auth,
      AlertRouter router,
      RemediationDispatcher dispatcher,
      long dedupWindowMillis,
      MeterRegistry metrics,
      RequestBody body,
      TemporalDeadline deadline,
      int maxAlerts,
      Duration noticeWindow,
      FailoverTrigger failovers,
      RunbookTrigger runbooks) {
    this.auth = auth;
    this.failovers = failovers;
    this.runbooks = runbooks;
    this.router = router;
    this.dispatcher = dispatcher;
    this.recent = new RecentEpisodes(50_000, dedupWindowMillis, System::currentTimeMillis);
    this.metrics = metrics;
    this.body = body;
    this.deadline = deadline;
    this.maxAlerts = maxAlerts;
    this.groupCommit = new NoticeGroupCommit(dispatcher::dispatchFiring, noticeWindow);
    AtomicInteger threads = new AtomicInteger();
    this.dispatching =
        Executors.newFixedThreadPool(
            PARALLEL_DISPATCH,
            r -> {
              Thread t = new Thread(r, "alert-dispatch-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Stops the dispatching threads (the server is stopping). */
  @Override
  public void close() {
    dispatching.shutdownNow();
    groupCommit.close();
  }

  public void handle(Context ctx) {
    if (!auth.allows(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"opsflow\", Basic realm=\"opsflow\"");
      reject(
          ctx,
          HttpStatus.UNAUTHORIZED,
          "missing or wrong credentials (bearer token or basic auth)");
      return;
    }
    // Credentials first, then the body: an unauthenticated client never makes the server read.
    String raw;
    try {
      raw = body.utf8(ctx, "application/json");
    } catch (RequestBody.Refused e) {
      reject(ctx, HttpStatus.forStatus(e.status()), e.getMessage());
      return;
    }
    AlertmanagerPayload payload;
    try {
      payload = JSON.readValue(raw, AlertmanagerPayload.class);
    } catch (JsonProcessingException e) {
      reject(ctx, HttpStatus.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
      return;
    }
    if (payload != null && payload.alerts() != null && payload.alerts().size() > maxAlerts) {
      reject(
          ctx,
          HttpStatus.CONTENT_TOO_LARGE,
          "alerts: "
              + payload.alerts().size()
              + " alerts in one notification, at most "
              + maxAlerts
              + " are taken (http.maxAlerts); set max_alerts in Alertmanager's webhook_config to"
              + " at most "
              + maxAlerts);
      return;
    }
    String invalid = invalid(payload);
    if (invalid != null) {
      reject(ctx, HttpStatus.BAD_REQUEST, invalid);
      return;
    }

    List<RemediationRequest> requests = new ArrayList<>();
    List<DoorStart> doors = new ArrayList<>();
    List<Map<String, String>> unroutable = new ArrayList<>();
    for (AlertmanagerPayload.Alert alert : payload.alerts()) {
      AlertRouter.Routed routed = router.route(alert);
      if (routed instanceof AlertRouter.Routed.Failover f) {
        Optional<String> refused = failovers.refusal(f.request());
        routed =
            refused.isPresent()
                ? new AlertRouter.Routed.Unroutable(f.notice().alertName(), refused.get())
                : routed;
      }
      if (routed instanceof AlertRouter.Routed.To to) {
        requests.add(to.request());
      } else if (routed instanceof AlertRouter.Routed.Failover f) {
        doors.add(DoorStart.of(f, failovers));
      } else if (routed instanceof AlertRouter.Routed.Runbook r) {
        doors.add(DoorStart.of(r, runbooks));
      } else if (routed instanceof AlertRouter.Routed.Unroutable u) {
        unroutable.add(Map.of("alert", u.alertName(), "reason", u.reason()));
        count("unroutable");
        // Alertmanager does not retry a refusal, so this line is how an operator learns of it;
        // once per episode, so a storm of resends does not flood the log.
        if (!recent.contains(UNROUTABLE + alert.fingerprint() + "@" + alert.startsAt())) {
          recent.add(UNROUTABLE + alert.fingerprint() + "@" + alert.startsAt());
          log.warn("Alert {} not routed: {}", Printable.quoted(u.alertName()), u.reason());
        }
      }
    }
    if (requests.isEmpty() && doors.isEmpty()) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("error", "no alert in the payload could be routed to a remediation");
      answer.put("unroutable", unroutable);
      ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(answer);
      return;
    }

    // Each notice once per request and once per dedup window; the rest go to Temporal together,
    // all within one deadline, so the answer comes in time for Alertmanager to hear it.
    int duplicates = 0;
    Map<String, RemediationRequest> fresh = new LinkedHashMap<>();
    for (RemediationRequest request : requests) {
      String key =
          request.workflowId() + "|" + request.alert().episode() + "|" + request.alert().status();
      if (recent.contains(key) || fresh.putIfAbsent(key, request) != null) {
        duplicates++;
        count("duplicate");
      }
    }
    // A firing failover or runbook alert goes through its door (one run per problem: a resent
    // group, or the alert of a second member, is answered with the running run); a resolved one
    // starts nothing and undoes nothing (a failover confirms the outage with its own probes, a
    // runbook's steps check what they need).
    Map<String, DoorStart> freshDoors = new LinkedHashMap<>();
    for (DoorStart door : doors) {
      if (recent.contains(door.key()) || freshDoors.putIfAbsent(door.key(), door) != null) {
        duplicates++;
        count("duplicate");
      }
    }
    TemporalDeadline.Clock clock = deadline.start();
    Map<String, CompletableFuture<RunStarted>> starting = new LinkedHashMap<>();
    for (Map.Entry<String, DoorStart> e : freshDoors.entrySet()) {
      starting.put(
          e.getKey(),
          e.getValue().notice().firing()
              ? CompletableFuture.supplyAsync(
                  () -> clock.call(() -> e.getValue().start().get()), dispatching)
              : CompletableFuture.completedFuture(null));
    }
    // Firing notices go per problem through the group commit (one signal for all of a problem's
    // notices, this request's and those of requests arriving with it); resolved ones one by one.
    Map<String, List<String>> firingKeys = new LinkedHashMap<>();
    Map<String, CompletableFuture<DispatchResult>> sent = new LinkedHashMap<>();
    for (Map.Entry<String, RemediationRequest> e : fresh.entrySet()) {
      RemediationRequest request = e.getValue();
      if (request.alert().firing()) {
        firingKeys.computeIfAbsent(request.workflowId(), id -> new ArrayList<>()).add(e.getKey());
      } else {
        sent.put(
            e.getKey(),
            CompletableFuture.supplyAsync(
                () -> clock.call(() -> dispatcher.dispatch(request)), dispatching));
      }
    }
    for (Map.Entry<String, List<String>> problem : firingKeys.entrySet()) {
      CompletableFuture<DispatchResult> signal =
          groupCommit.deliver(
              problem.getKey(),
              problem.getValue().stream().map(fresh::get).toList(),
              clock.deadline());
      problem.getValue().forEach(key -> sent.put(key, signal));
    }
    // A notice waiting behind its problem's previous signal still answers within this request's
    // deadline: 503, and Alertmanager retries.
    long budget = clock.remainingMillis() + 200;
    sent.replaceAll((key, future) -> future.orTimeout(budget, TimeUnit.MILLISECONDS));
    starting.replaceAll((key, future) -> future.orTimeout(budget, TimeUnit.MILLISECONDS));
    int accepted = requests.size() + doors.size() - duplicates;
    int duplicated = duplicates;
    List<CompletableFuture<?>> all = new ArrayList<>(sent.values());
    all.addAll(starting.values());
    ctx.future(
        () ->
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .handle((done, failed) -> null)
                .thenAccept(
                    done ->
                        answer(
                            ctx,
                            fresh,
                            sent,
                            freshDoors,
                            starting,
                            accepted,
                            duplicated,
                            unroutable)));
  }

  /** The answer once every notice was delivered or refused: 202, or 503 if any was not taken. */
  private void answer(
      Context ctx,
      Map<String, RemediationRequest> fresh,
      Map<String, CompletableFuture<DispatchResult>> sent,
      Map<String, DoorStart> doors,
      Map<String, CompletableFuture<RunStarted>> starting,
      int accepted,
      int duplicates,
      List<Map<String, String>> unroutable) {
    Set<String> workflows = new LinkedHashSet<>();
    List<String> noRun = new ArrayList<>();
    Map<String, List<Map<String, Object>>> doorRuns = new LinkedHashMap<>();
    doorRuns.put(DoorStart.FAILOVERS, new ArrayList<>());
    doorRuns.put(DoorStart.RUNBOOKS, new ArrayList<>());
    Throwable unavailable = null;
    int delivered = 0;
    for (Map.Entry<String, CompletableFuture<RunStarted>> e : starting.entrySet()) {
      DoorStart door = doors.get(e.getKey());
      RunStarted started;
      try {
        started = e.getValue().join();
      } catch (CompletionException failed) {
        if (temporalUnavailable(failed.getCause())) {
          unavailable = failed.getCause();
          continue;
        }
        throw failed.getCause() instanceof RuntimeException r
            ? r
            : new IllegalStateException(failed.getCause());
      }
      recent.add(e.getKey());
      delivered++;
      if (started == null) {
        count(door.outcome("resolved"));
        continue;
      }
      workflows.add(started.workflowId());
      count(door.outcome(started.alreadyRunning() ? "running" : "started"));
      Map<String, Object> run = new LinkedHashMap<>(door.about());
      run.put("workflowId", started.workflowId());
      run.put("runId", started.runId());
      run.put("alreadyRunning", started.alreadyRunning());
      doorRuns.get(door.family()).add(run);
    }
    for (Map.Entry<String, CompletableFuture<DispatchResult>> e : sent.entrySet()) {
      RemediationRequest request = fresh.get(e.getKey());
      DispatchResult result;
      try {
        result = e.getValue().join();
      } catch (CompletionException failed) {
        Throwable cause = failed.getCause();
        if (temporalUnavailable(cause)) {
          unavailable = cause;
          continue;
        }
        throw failed.getCause() instanceof RuntimeException r
            ? r
            : new IllegalStateException(failed.getCause());
      }
      // Delivered: a retry of this notification skips it, so each retry makes progress.
      recent.add(e.getKey());
      delivered++;
      if (DispatchResult.NO_RUNNING_REMEDIATION.equals(result.outcome())) {
        noRun.add(result.workflowId());
        count("resolved_without_run");
      } else {
        workflows.add(result.workflowId());
        count(request.alert().firing() ? "firing" : "resolved");
      }
    }
    if (unavailable != null) {
      // While Temporal is down or overloaded every request fails alike; a line per request would
      // make the console the bottleneck, so one line per interval says how many there were.
      long refusedBefore = unavailableSinceLog.getAndIncrement();
      long now = System.nanoTime();
      long last = lastUnavailableLog.get();
      if (now - last >= UNAVAILABLE_LOG_INTERVAL_NANOS
          && lastUnavailableLog.compareAndSet(last, now)) {
        long refused = refusedBefore + 1;
        unavailableSinceLog.addAndGet(-refused);
        log.warn(
            "Temporal unavailable: {} of {} notices delivered within the deadline ({} ms): {};"
                + " {} notification(s) answered 503 since the last such line",
            delivered,
            sent.size() + starting.size(),
            deadline.budget().toMillis(),
            Printable.escaped(
                unavailable instanceof TimeoutException
                    ? "no answer within the deadline"
                    : String.valueOf(grpcStatus(unavailable))),
            refused);
      }
      count("temporal_unavailable");
      reject(ctx, HttpStatus.SERVICE_UNAVAILABLE, "Temporal is unavailable; retry later");
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("accepted", accepted);
    answer.put("duplicates", duplicates);
    answer.put("workflows", workflows);
    answer.put("resolvedWithoutRunningRemediation", noRun);
    answer.put("failovers", doorRuns.get(DoorStart.FAILOVERS));
    answer.put("runbooks", doorRuns.get(DoorStart.RUNBOOKS));
    answer.put("unroutable", unroutable);
    ctx.status(HttpStatus.ACCEPTED).json(answer);
  }

  /**
   * A run an alert route asks a door for instead of signalling a remediation: a failover or a
   * runbook, one run per problem ({@link #workflowId}); {@link #key} is the notice's, for dedup.
   *
   * @param family where the answer lists it: {@value #FAILOVERS} or {@value #RUNBOOKS}
   * @param about fields the answer shows beside the run (a runbook's id)
   */
  private record DoorStart(
      String family,
      String workflowId,
      AlertNotice notice,
      Map<String, Object> about,
      Supplier<RunStarted> start) {
    static final String FAILOVERS = "failovers";
    static final String RUNBOOKS = "runbooks";

    static DoorStart of(AlertRouter.Routed.Failover f, FailoverTrigger failovers) {
      return new DoorStart(
          FAILOVERS,
          f.request().workflowId(),
          f.notice(),
          Map.of(),
          () -> {
            FailoverStarted started = failovers.start(f.request());
            return new RunStarted(started.workflowId(), started.runId(), started.alreadyRunning());
          });
    }

    static DoorStart of(AlertRouter.Routed.Runbook r, RunbookTrigger runbooks) {
      return new DoorStart(
          RUNBOOKS,
          r.workflowId(),
          r.notice(),
          Map.of("runbookId", r.request().runbook().definition().id()),
          () -> runbooks.start(r));
    }

    String key() {
      return workflowId + "|" + notice.episode() + "|" + notice.status();
    }

    /** The metric's outcome: {@code failover_started}, {@code runbook_running}, ... */
    String outcome(String what) {
      return (family.equals(FAILOVERS) ? "failover_" : "runbook_") + what;
    }
  }

  private static boolean temporalUnavailable(Throwable cause) {
    return cause instanceof WorkflowServiceException
        || cause instanceof StatusRuntimeException
        || cause instanceof TimeoutException;
  }

  /** The gRPC status under a client failure (what an operator needs), else its message. */
  private static String grpcStatus(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        return grpc.getStatus().getCode() + ": " + grpc.getStatus().getDescription();
      }
    }
    return e.getMessage();
  }

  private void reject(Context ctx, HttpStatus status, String reason) {
    count("rejected_" + status.getCode());
    ctx.status(status).json(Map.of("error", reason));
  }

  private void count(String outcome) {
    metrics.counter("opsflow_alerts_received", "outcome", outcome).increment();
  }

  /** Structural checks; null when the payload is usable. */
  static String invalid(AlertmanagerPayload p) {
    if (p == null) {
      return "empty body: expected an Alertmanager webhook payload";
    }
    if (!"4".equals(p.version())) {
      return "unsupported webhook payload version "
          + Printable.quoted(p.version())
          + " (expected \"4\")";
    }
    if (p.alerts() == null || p.alerts().isEmpty()) {
      return "alerts: the payload has no alerts";
    }
    for (int i = 0; i < p.alerts().size(); i++) {
      AlertmanagerPayload.Alert a = p.alerts().get(i);
      String at = "alerts[" + i + "]";
      if (a == null) {
        return at + ": is null";
      }
      if (!"firing".equals(a.status()) && !"resolved".equals(a.status())) {
        return at + ".status: must be firing or resolved, got " + Printable.quoted(a.status());
      }
      if (a.fingerprint() == null || a.fingerprint().isBlank()) {
        return at + ".fingerprint: missing";
      }
      String fingerprint = boundedText(at + ".fingerprint", a.fingerprint());
      if (fingerprint != null) {
        return fingerprint;
      }
      if (a.startsAt() == null || a.startsAt().isBlank()) {
        return at + ".startsAt: missing";
      }
      String startsAt = boundedText(at + ".startsAt", a.startsAt());
      if (startsAt != null) {
        return startsAt;
      }
      if (a.labels() == null || !a.labels().containsKey("alertname")) {
        return at + ".labels.alertname: missing";
      }
      int entries = a.labels().size() + (a.annotations() == null ? 0 : a.annotations().size());
      if (entries > MAX_ENTRIES) {
        return at + ": " + entries + " labels and annotations, at most " + MAX_ENTRIES;
      }
      String labels = boundedEntries(at + ".labels", a.labels(), MAX_LABEL, true);
      if (labels != null) {
        return labels;
      }
      String annotations =
          boundedEntries(at + ".annotations", a.annotations(), MAX_ANNOTATION, false);
      if (annotations != null) {
        return annotations;
      }
    }
    return null;
  }

  /**
   * Null values, over-long names or values and NUL characters are refused naming the entry; label
   * names also may not hold control characters (a label value that goes into a target is checked
   * further by the router).
   */
  private static String boundedEntries(
      String field, Map<String, String> entries, int maxValue, boolean labels) {
    if (entries == null) {
      return null;
    }
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String name = e.getKey();
      if (name.isEmpty()
          || name.length() > MAX_LABEL
          || name.chars().anyMatch(Character::isISOControl)) {
        return field
            + ": the name "
            + Printable.quoted(name)
            + " must be 1 to "
            + MAX_LABEL
            + " characters without control characters";
      }
      String at = field + "." + name;
      String value = e.getValue();
      if (value == null) {
        return at + ": is null; " + (labels ? "label" : "annotation") + " values are strings";
      }
      if (value.length() > maxValue) {
        return at + ": " + value.length() + " characters, at most " + maxValue;
      }
      if (value.indexOf('\0') >= 0) {
        return at + ": contains a NUL character";
      }
    }
    return null;
  }

  private static String boundedText(String field, String value) {
    if (value.length() > MAX_EPISODE_FIELD || value.chars().anyMatch(Character::isISOControl)) {
      return field
          + ": "
          + Printable.quoted(value)
          + " must be at most "
          + MAX_EPISODE_FIELD
          + " characters without control characters";
    }
    return null;
  }
}
