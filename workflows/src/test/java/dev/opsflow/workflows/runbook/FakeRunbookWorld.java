package dev.opsflow.workflows.runbook;

import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.runbook.ActionAnswer;
import dev.opsflow.activities.runbook.OperationCall;
import dev.opsflow.activities.runbook.ProbeAnswer;
import dev.opsflow.activities.runbook.RunbookActivities;
import dev.opsflow.activities.runbook.RunbookNotice;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.runbook.RunbookCatalog;
import dev.opsflow.contracts.runbook.RunbookEvent;
import dev.opsflow.contracts.runbook.RunbookOperation;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Everything a runbook run can reach, in memory: probes answer as scripted (by operation, or by a
 * probe's {@code url} / {@code query}), actions succeed unless scripted to fail, and every call is
 * listed in {@link #calls} as {@code "act kubernetes.scale {deployment=orders, ...}"}, so tests
 * assert what was done to which target, how many times.
 */
final class FakeRunbookWorld
    implements RunbookActivities, PolicyActivities, NotificationActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<RunbookEvent> delivered = new CopyOnWriteArrayList<>();
  final List<String> slack = new CopyOnWriteArrayList<>();
  final List<String> pages = new CopyOnWriteArrayList<>();

  /** Answers by a key (the operation, or a parameter's value such as a query or URL). */
  final Map<String, Function<OperationCall, ProbeAnswer>> probes = new ConcurrentHashMap<>();

  /** Results of read-only actions by operation (e.g. kafka.readLag), called in turn. */
  final Map<String, List<Object>> actionResults = new ConcurrentHashMap<>();

  /** Actions (by operation) that fail, with the failure's type. */
  final Map<String, String> failingActions = new ConcurrentHashMap<>();

  volatile List<String> subscribers = List.of();

  /** The server's approval for runbook actions (null: none). */
  volatile HumanPolicy runbookHumans;

  /** The server's healing policy (null: the defaults), e.g. other blast-radius limits. */
  volatile HealingPolicy healing;

  /** Actions (by operation) whose first attempt fails (retryably) and whose retry answers. */
  final java.util.Set<String> flakyOnce = ConcurrentHashMap.newKeySet();

  /** Actions (by operation) that answer only once their latch is opened: an action in progress. */
  final Map<String, CountDownLatch> holding = new ConcurrentHashMap<>();

  @Override
  public ProbeAnswer probe(OperationCall call) {
    calls.add("probe " + call.operation() + " " + new TreeMap<>(call.parameters()));
    for (Object value : call.parameters().values()) {
      Function<OperationCall, ProbeAnswer> scripted = probes.get(String.valueOf(value));
      if (scripted != null) {
        return scripted.apply(call);
      }
    }
    Function<OperationCall, ProbeAnswer> scripted = probes.get(call.operation());
    return scripted == null ? new ProbeAnswer(true, 1.0, "ok") : scripted.apply(call);
  }

  @Override
  public ActionAnswer act(OperationCall call) {
    calls.add("act " + call.operation() + " " + new TreeMap<>(call.parameters()));
    CountDownLatch hold = holding.get(call.operation());
    if (hold != null) {
      try {
        if (!hold.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(call.operation() + " was held for a minute");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      calls.add("done " + call.operation() + " " + new TreeMap<>(call.parameters()));
    }
    if (flakyOnce.contains(call.operation())) {
      int attempt = io.temporal.activity.Activity.getExecutionContext().getInfo().getAttempt();
      if (attempt == 1) {
        throw ApplicationFailure.newFailure(call.operation() + " timed out", "Unavailable");
      }
      return new ActionAnswer(Map.of("changed", true), true, "done on attempt " + attempt, attempt);
    }
    String failure = failingActions.get(call.operation());
    if (failure != null) {
      throw ApplicationFailure.newNonRetryableFailure(call.operation() + " refused", failure);
    }
    List<Object> results = actionResults.get(call.operation());
    if (results != null && !results.isEmpty()) {
      Object next = results.size() == 1 ? results.get(0) : results.remove(0);
      return new ActionAnswer(next, false, "read " + next);
    }
    return new ActionAnswer(Map.of("changed", true), true, call.operation() + " done");
  }

  @Override
  public String notify(RunbookNotice notice) {
    calls.add("notify " + notice.channel() + " " + notice.message());
    return "sent to " + notice.channel();
  }

  @Override
  public List<String> eventSubscribers() {
    return subscribers;
  }

  @Override
  public void deliverEvent(RunbookEvent event) {
    delivered.add(event);
  }

  @Override
  public HealingPolicy serverPolicy() {
    HealingPolicy base = healing == null ? RemediationTestKit.policy() : healing;
    HumanPolicy quiet =
        new HumanPolicy(
            null, List.of(), List.of(new EscalationStep(EscalationStep.SLACK, 0)), false, 3600);
    return runbookHumans == null
        ? base.withHumans(quiet, Map.of())
        : base.withHumans(quiet, Map.of(RunbookWorkflow.TYPE, runbookHumans));
  }

  static HumanPolicy approvalIn(String namespace) {
    return new HumanPolicy(
        new ApprovalPolicy(List.of("alice"), 1, false, 3600, ApprovalPolicy.REJECT),
        List.of(namespace),
        List.of(new EscalationStep(EscalationStep.SLACK, 0)),
        false,
        3600);
  }

  @Override
  public SlackPosted postSlack(SlackMessage message) {
    slack.add(message.text());
    return new SlackPosted("C1", "1." + slack.size(), false);
  }

  @Override
  public SlackPosted updateSlack(SlackUpdate update) {
    return new SlackPosted(update.channel(), update.ts(), false);
  }

  @Override
  public PagerDutyResult pagerDuty(PagerDutyEvent event) {
    pages.add(event.eventAction() + " " + event.dedupKey());
    return new PagerDutyResult("success", event.dedupKey());
  }

  @Override
  public WebhookDelivered webhook(WebhookEvent event) {
    return new WebhookDelivered(200);
  }

  /** The calls that change something: mutating actions and notifications. */
  List<String> mutations() {
    List<String> out = new ArrayList<>();
    for (String c : calls) {
      if (c.startsWith("notify ")) {
        out.add(c);
      } else if (c.startsWith("act ")) {
        String operation = c.split(" ")[1];
        if (RunbookCatalog.find(RunbookOperation.Kind.ACTION, operation).orElseThrow().mutates()) {
          out.add(c);
        }
      }
    }
    return out;
  }

  List<String> callsOf(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).toList();
  }
}
