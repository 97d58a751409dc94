package dev.opsflow.starter.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.Printable;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import io.grpc.StatusRuntimeException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /alerts}: Alertmanager's webhook receiver. Parses, authenticates, routes and
 * dispatches; every decision about acting is the remediation workflow's. Answers 202 only after
 * Temporal accepted every notice, 4xx with a reason for bad input (Alertmanager does not retry
 * those), and 503 when Temporal is unavailable so that Alertmanager retries.
 */
public final class AlertWebhook {
  private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);
  private static final String UNROUTABLE = "unroutable|";

  /**
   * Longest fingerprint and startsAt accepted: Alertmanager's are 16 hex digits and an RFC 3339
   * time; both go into every notice the workflow keeps.
   */
  static final int MAX_EPISODE_FIELD = 64;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final WebhookAuth auth;
  private final AlertRouter router;
  private final RemediationDispatcher dispatcher;
  private final RecentEpisodes recent;
  private final MeterRegistry metrics;

  public AlertWebhook(
      WebhookAuth auth,
      AlertRouter router,
      RemediationDispatcher dispatcher,
      long dedupWindowMillis,
      MeterRegistry metrics) {
    this.auth = auth;
    this.router = router;
    this.dispatcher = dispatcher;
    this.recent = new RecentEpisodes(50_000, dedupWindowMillis, System::currentTimeMillis);
    this.metrics = metrics;
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
    AlertmanagerPayload payload;
    try {
      payload = JSON.readValue(ctx.body(), AlertmanagerPayload.class);
    } catch (JsonProcessingException e) {
      reject(ctx, HttpStatus.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
      return;
    }
    String invalid = invalid(payload);
    if (invalid != null) {
      reject(ctx, HttpStatus.BAD_REQUEST, invalid);
      return;
    }

    List<RemediationRequest> requests = new ArrayList<>();
    List<Map<String, String>> unroutable = new ArrayList<>();
    for (AlertmanagerPayload.Alert alert : payload.alerts()) {
      AlertRouter.Routed routed = router.route(alert);
      if (routed instanceof AlertRouter.Routed.To to) {
        requests.add(to.request());
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
    if (requests.isEmpty()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "no alert in the payload could be routed to a remediation");
      body.put("unroutable", unroutable);
      ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(body);
      return;
    }

    int duplicates = 0;
    Set<String> workflows = new LinkedHashSet<>();
    List<String> noRun = new ArrayList<>();
    for (RemediationRequest request : requests) {
      String key =
          request.workflowId() + "|" + request.alert().episode() + "|" + request.alert().status();
      if (recent.contains(key)) {
        duplicates++;
        count("duplicate");
        continue;
      }
      DispatchResult result;
      try {
        result = dispatcher.dispatch(request);
      } catch (WorkflowServiceException | StatusRuntimeException e) {
        log.warn(
            "Temporal unavailable while dispatching {}: {}",
            Printable.quoted(request.workflowId()),
            Printable.escaped(String.valueOf(e.getMessage())));
        count("temporal_unavailable");
        reject(ctx, HttpStatus.SERVICE_UNAVAILABLE, "Temporal is unavailable; retry later");
        return;
      }
      recent.add(key);
      if (DispatchResult.NO_RUNNING_REMEDIATION.equals(result.outcome())) {
        noRun.add(result.workflowId());
        count("resolved_without_run");
      } else {
        workflows.add(result.workflowId());
        count(request.alert().firing() ? "firing" : "resolved");
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", requests.size() - duplicates);
    body.put("duplicates", duplicates);
    body.put("workflows", workflows);
    body.put("resolvedWithoutRunningRemediation", noRun);
    body.put("unroutable", unroutable);
    ctx.status(HttpStatus.ACCEPTED).json(body);
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
