package dev.opsflow.workflows.human;

import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.NotificationOptions;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.contracts.human.EscalationStep;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Progressive escalation, as the seed runbooks put it: auto-recovery, then alert the team, then
 * page on-call. Each rung notifies one channel a set time after the climb began, unless the matter
 * was settled meanwhile (fixed, answered, acknowledged). The PagerDuty incident uses the workflow
 * ID as dedup key, so a retry or a second climb adds to the open incident, and {@link #resolve}
 * closes it when the problem is fixed. A channel that is not configured or fails is recorded, never
 * dropped.
 */
public final class EscalationLadder {
  private final NotificationActivities notify =
      Workflow.newActivityStub(NotificationActivities.class, NotificationOptions.NOTIFY);
  private final NotificationActivities page =
      Workflow.newActivityStub(NotificationActivities.class, NotificationOptions.PAGE);

  private final List<String> record = new ArrayList<>();
  private boolean incidentOpen;

  /** What one climb says. */
  public record Message(
      String text,
      List<Map<String, Object>> slackBlocks,
      String severity,
      Map<String, Object> details) {}

  /**
   * Notifies each rung at its delay from now until {@code settled} holds; a PagerDuty rung is left
   * out while this run's incident is still open. Returns the Slack message posted, if any, so it
   * can be updated with the outcome.
   */
  public Optional<SlackPosted> climb(
      List<EscalationStep> steps, Message message, Supplier<Boolean> settled) {
    long start = Workflow.currentTimeMillis();
    Optional<SlackPosted> posted = Optional.empty();
    for (EscalationStep step : steps) {
      long wait = start + step.afterSeconds() * 1000 - Workflow.currentTimeMillis();
      if (wait > 0) {
        Workflow.await(Duration.ofMillis(wait), settled);
      }
      if (settled.get()) {
        record.add(step.channel() + ": not needed, settled before this rung");
        break;
      }
      if (EscalationStep.PAGERDUTY.equals(step.channel())) {
        trigger(message);
      } else {
        posted = slack(message.text(), message.slackBlocks());
      }
    }
    return posted;
  }

  /** Posts to Slack (recorded either way); empty when it could not be delivered. */
  public Optional<SlackPosted> slack(String text, List<Map<String, Object>> blocks) {
    try {
      SlackPosted posted =
          notify.postSlack(
              new SlackMessage(Workflow.randomUUID().toString(), null, text, blocks, null));
      record.add("slack: posted to " + posted.channel());
      return Optional.of(posted);
    } catch (ActivityFailure e) {
      record.add("slack: not delivered: " + reason(e));
      return Optional.empty();
    }
  }

  /** Replaces a posted message (e.g. removes the buttons and shows who decided). */
  public void update(Optional<SlackPosted> posted, String text, List<Map<String, Object>> blocks) {
    if (posted.isEmpty()) {
      return;
    }
    try {
      notify.updateSlack(new SlackUpdate(posted.get().channel(), posted.get().ts(), text, blocks));
    } catch (ActivityFailure e) {
      record.add("slack: message not updated: " + reason(e));
    }
  }

  /** Resolves this run's PagerDuty incident, if one is open. */
  public void resolve(String why) {
    if (!incidentOpen) {
      return;
    }
    try {
      page.pagerDuty(PagerDutyEvent.resolve(dedupKey()));
      incidentOpen = false;
      record.add("pagerduty: resolved (" + why + ")");
    } catch (ActivityFailure e) {
      record.add("pagerduty: not resolved: " + reason(e));
    }
  }

  /**
   * Takes over the record and the open incident of an earlier run of the chain (continued as new),
   * so the incident it opened is resolved by this one and nobody is paged twice.
   */
  public void resume(List<String> earlier, boolean openIncident) {
    record.addAll(earlier);
    incidentOpen = openIncident;
  }

  public boolean incidentOpen() {
    return incidentOpen;
  }

  /** Who was told what, in order, and how it went. */
  public List<String> record() {
    return List.copyOf(record);
  }

  private void trigger(Message message) {
    if (incidentOpen) {
      record.add("pagerduty: incident already open (dedup_key " + dedupKey() + ")");
      return;
    }
    try {
      page.pagerDuty(
          PagerDutyEvent.trigger(
              dedupKey(), message.text(), message.severity(), "opsflow", message.details()));
      incidentOpen = true;
      record.add("pagerduty: triggered (dedup_key " + dedupKey() + ")");
    } catch (ActivityFailure e) {
      record.add("pagerduty: not delivered: " + reason(e));
    }
  }

  private static String dedupKey() {
    return Workflow.getInfo().getWorkflowId();
  }

  /**
   * The activity's own error (what it did, which system failed), not Temporal's wrapper nor the
   * client exception the activity attached as its cause.
   */
  public static String reason(Throwable e) {
    // The outermost ApplicationFailure, as the kernel's Failures.reason reads it (the kernel
    // depends on this package, so this one cannot call it).
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure af) {
        return af.getOriginalMessage() + " [" + af.getType() + "]";
      }
    }
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
