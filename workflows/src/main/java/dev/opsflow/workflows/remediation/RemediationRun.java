package dev.opsflow.workflows.remediation;

import dev.opsflow.activities.dispatch.AdmissionRequest;
import dev.opsflow.activities.dispatch.AlertNotice;
import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.RemediationRequest;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.NotificationOptions;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.workflows.operator.ActionRecord;
import dev.opsflow.workflows.remediation.RemediationStatus.Phase;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The steps every remediation shares, so that each procedure's workflow reads as its runbook:
 * confirm -> admit -> act -> verify -> cooldown, or escalate. It holds the run's state (phase,
 * actions, notices) and enforces the rules no procedure may skip: never act after the alert
 * resolved, never act without the governor's admission, count every action in the metrics, and
 * never act twice inside the cooldown (a recurrence escalates instead).
 *
 * <p>Created as a field of the workflow implementation, because the first notice arrives by signal
 * before the workflow method runs.
 */
public final class RemediationRun {
  private static final Logger log = Workflow.getLogger(RemediationRun.class);

  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private final NotificationActivities notify =
      Workflow.newActivityStub(NotificationActivities.class, NotificationOptions.NOTIFY);
  private final NotificationActivities page =
      Workflow.newActivityStub(NotificationActivities.class, NotificationOptions.PAGE);

  private final Set<String> episodes = new LinkedHashSet<>();
  private final List<ActionRecord> actions = new ArrayList<>();
  private final List<String> escalations = new ArrayList<>();
  private RemediationRequest request;
  private long startedAtMillis;
  private Phase phase = Phase.RECEIVED;
  private String detail = "";
  private boolean resolved;
  private boolean admitted;
  private boolean holdsSlot;
  private long actedAtMillis;
  private boolean recurred;

  /** The workflow method's first line. */
  public void begin(RemediationRequest request) {
    this.request = request;
    this.startedAtMillis = Workflow.currentTimeMillis();
    noticeFired(request.alert());
    log.info(
        "Remediation {} of {} started (severity {}, source {})",
        request.procedure(),
        request.target().key(),
        request.severity(),
        request.alert().source());
  }

  public RemediationRequest request() {
    return request;
  }

  // ---- signal and query handlers delegate here ----

  public void noticeFired(AlertNotice notice) {
    if (notice == null || !episodes.add(notice.episode())) {
      return; // a resend of an episode already seen (Alertmanager group resends, HA pairs)
    }
    if (actedAtMillis > 0) {
      recurred = true;
    }
  }

  public void noticeResolved(AlertNotice notice) {
    resolved = true;
  }

  public void noticeAdmitted() {
    admitted = true;
  }

  public RemediationStatus status() {
    return new RemediationStatus(
        Workflow.getInfo().getWorkflowId(),
        request == null ? "" : request.procedure(),
        request == null ? "" : request.target().key(),
        request == null ? "" : request.severity(),
        phase,
        detail,
        episodes.size(),
        List.copyOf(actions),
        List.copyOf(escalations));
  }

  // ---- the steps ----

  /**
   * Waits the severity's confirmation delay (none for critical), then checks the problem still
   * holds. False when the alert resolved meanwhile or the check says it is gone.
   */
  public boolean confirm(Supplier<Boolean> stillBad) {
    long seconds = request.policy().confirmSeconds(request.severity());
    if (seconds > 0) {
      enter(Phase.CONFIRMING, "waiting " + seconds + "s to confirm the problem holds");
      Workflow.await(Duration.ofSeconds(seconds), () -> resolved);
    }
    if (resolved) {
      return false;
    }
    return stillBad.get();
  }

  /** Asks the blast-radius governor for a slot; false on timeout or when the alert resolved. */
  public boolean admit() {
    enter(Phase.WAITING_FOR_ADMISSION, "waiting for the blast-radius governor");
    long lease = Math.max(600, request.policy().settleSeconds() * 3 + 300);
    dispatch.requestAdmission(
        new AdmissionRequest(
            Workflow.getInfo().getWorkflowId(),
            request.target().namespace(),
            request.severity(),
            lease,
            request.policy().maxInFlight(),
            request.policy().maxInFlightPerNamespace()));
    holdsSlot = true;
    Workflow.await(
        Duration.ofSeconds(request.policy().admissionTimeoutSeconds()), () -> admitted || resolved);
    return admitted && !resolved;
  }

  /**
   * The prologue every remediation shares: confirm the problem still holds, then get the governor's
   * admission.
   *
   * @param goneReason why nothing is done when the check finds the problem gone
   * @return how to end instead of acting (not needed, or escalated); empty means go ahead
   */
  public Optional<RemediationOutcome> confirmAndAdmit(
      Supplier<Boolean> stillBad, String goneReason) {
    if (!confirm(stillBad)) {
      return Optional.of(notNeeded(resolved ? "alert resolved before acting" : goneReason));
    }
    if (!admit()) {
      return Optional.of(
          resolved
              ? notNeeded("alert resolved while waiting for admission")
              : escalate("the blast-radius governor did not admit the action in time"));
    }
    return Optional.empty();
  }

  /** True once a resolved notice arrived. */
  public boolean resolved() {
    return resolved;
  }

  /**
   * Runs one action. Success and failure are recorded and counted; a failure (after the activity's
   * own retries) comes back as empty, with its message in the status.
   *
   * @param describe turns the activity's result into the line recorded in the status
   */
  public <T> Optional<T> act(
      String action,
      String target,
      Supplier<T> call,
      java.util.function.Function<T, String> describe) {
    enter(Phase.ACTING, action + " on " + target);
    actedAtMillis = Workflow.currentTimeMillis();
    try {
      T result = call.get();
      record(action, target, true, describe.apply(result));
      return Optional.of(result);
    } catch (ActivityFailure e) {
      record(action, target, false, reason(e));
      return Optional.empty();
    }
  }

  /** Lets the change settle, then checks it worked. A failed check counts as not fixed. */
  public boolean verify(Supplier<Boolean> fixed) {
    enter(Phase.SETTLING, "waiting " + request.policy().settleSeconds() + "s before verifying");
    Workflow.sleep(Duration.ofSeconds(request.policy().settleSeconds()));
    enter(Phase.VERIFYING, "checking the problem is gone");
    boolean ok;
    try {
      ok = fixed.get();
    } catch (ActivityFailure e) {
      detail = "verification could not read the state: " + reason(e);
      ok = false;
    }
    release();
    return ok;
  }

  /** Gives the governor's slot back, even when the workflow is being cancelled. */
  public void release() {
    if (!holdsSlot) {
      return;
    }
    holdsSlot = false;
    Workflow.newDetachedCancellationScope(
            () -> dispatch.releaseAdmission(Workflow.getInfo().getWorkflowId()))
        .run();
  }

  /** Fixed and verified: counts the latency, then holds the cooldown. */
  public RemediationOutcome fixed(String summary) {
    HealingMetrics.fixed(
        request.procedure(), Duration.ofMillis(Workflow.currentTimeMillis() - startedAtMillis));
    log.info(
        "Remediation {} of {} fixed: {}", request.procedure(), request.target().key(), summary);
    if (cooldown()) {
      return escalate(
          "the problem came back within the cooldown after it was fixed (" + summary + ")");
    }
    return close(Phase.FIXED, summary);
  }

  /** Nothing was done: the problem was gone before acting. */
  public RemediationOutcome notNeeded(String why) {
    release();
    return close(Phase.NOT_NEEDED, why);
  }

  /**
   * Hands over to a human: Slack, then PagerDuty (dedup key = workflow ID, so a retry does not open
   * a second incident). A channel that is not configured or fails is recorded, never dropped
   * silently. Then holds the cooldown so the automaton does not try again meanwhile.
   */
  public RemediationOutcome escalate(String reason) {
    release();
    enter(Phase.ESCALATING, reason);
    String id = Workflow.getInfo().getWorkflowId();
    String text =
        "opsflow could not fix "
            + request.procedure()
            + " on "
            + request.target().key()
            + ": "
            + reason
            + " (workflow "
            + id
            + ")";
    try {
      var posted = notify.postSlack(SlackMessage.text(id + "-escalation", text));
      escalations.add("slack: posted to " + posted.channel());
    } catch (ActivityFailure e) {
      escalations.add("slack: not delivered: " + reason(e));
    }
    try {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("workflowId", id);
      details.put("target", request.target().key());
      details.put("actions", actions.stream().map(a -> a.action() + ": " + a.detail()).toList());
      page.pagerDuty(
          PagerDutyEvent.trigger(
              id, text, pagerDutySeverity(request.severity()), "opsflow", details));
      escalations.add("pagerduty: triggered (dedup_key " + id + ")");
    } catch (ActivityFailure e) {
      escalations.add("pagerduty: not delivered: " + reason(e));
    }
    log.warn("Remediation {} escalated: {} [{}]", id, reason, String.join("; ", escalations));
    if (actedAtMillis > 0) {
      cooldown();
    }
    return close(Phase.ESCALATED, reason);
  }

  /** Holds until the cooldown since the action ends; true if the problem recurred meanwhile. */
  private boolean cooldown() {
    long remaining =
        actedAtMillis
            + request.policy().actionCooldownSeconds() * 1000
            - Workflow.currentTimeMillis();
    enter(Phase.COOLDOWN, "no new action on this problem until the cooldown ends");
    if (remaining > 0) {
      Workflow.await(Duration.ofMillis(remaining), () -> recurred);
    }
    return recurred;
  }

  private RemediationOutcome close(Phase end, String why) {
    enter(end, why);
    return new RemediationOutcome(end, why, List.copyOf(actions), List.copyOf(escalations));
  }

  private void enter(Phase next, String why) {
    phase = next;
    detail = why;
  }

  private void record(String action, String target, boolean success, String what) {
    actions.add(new ActionRecord(action, target, Workflow.currentTimeMillis(), success, what));
    HealingMetrics.action(action, success);
    log.info("Action {} on {}: {} ({})", action, target, success ? "succeeded" : "FAILED", what);
  }

  private static String pagerDutySeverity(String severity) {
    return switch (severity) {
      case "critical" -> "critical";
      case "high" -> "error";
      case "medium" -> "warning";
      default -> "info";
    };
  }

  /** The innermost message: the activity's own error, not Temporal's wrapper. */
  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getOriginalMessage() + " [" + af.getType() + "]";
    }
    return t.getMessage();
  }
}
