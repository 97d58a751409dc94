package dev.opsflow.workflows.remediation.governor;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.config.Severities;
import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.BlastRadiusGovernor;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationSignals;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ExternalWorkflowStub;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class BlastRadiusGovernorImpl implements BlastRadiusGovernor {
  private static final Logger log = Workflow.getLogger(BlastRadiusGovernorImpl.class);

  /** With nothing to expire, wake up this often anyway to re-check (cheap, keeps history small). */
  private static final Duration IDLE_WAKE = Duration.ofHours(1);

  /** Version marker: from version 1 the governor reads its limits from the worker's policy. */
  static final String SERVER_LIMITS = "governor-server-limits";

  /**
   * Version marker: from version 1 the governor tells the runs it admits all at once, without
   * waiting for each signal to be delivered before admitting the next. Before it, one admission
   * took a workflow task round trip, so the governor admitted at most one run per round trip.
   */
  static final String ASYNC_ADMISSION = "governor-async-admission";

  private final List<GovernorState.Grant> inFlight = new ArrayList<>();
  private final List<GovernorState.Waiting> waiting = new ArrayList<>();
  private final Map<String, ActionMark> recentActions = new LinkedHashMap<>();
  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  private int maxInFlight = 1;
  private int maxPerNamespace = 1;
  private boolean serverLimits;
  private boolean asyncAdmission;
  private int admissionsInFlight;
  private boolean changed;

  @Override
  public void govern(GovernorState state) {
    if (state != null) {
      inFlight.addAll(state.inFlight());
      waiting.addAll(state.waiting());
      state.recentActions().forEach(m -> recentActions.put(m.problem(), m));
      changed = true;
    }
    if (Workflow.getVersion(SERVER_LIMITS, Workflow.DEFAULT_VERSION, 1) == 1) {
      // The worker's configured limits, not those of whichever request came last.
      HealingPolicy policy = policies.serverPolicy();
      maxInFlight = policy.maxInFlight();
      maxPerNamespace = policy.maxInFlightPerNamespace();
      serverLimits = true;
    }
    asyncAdmission = Workflow.getVersion(ASYNC_ADMISSION, Workflow.DEFAULT_VERSION, 1) == 1;
    while (true) {
      // Cleared before admitting: a request arriving while a grant is being signalled sets it
      // again, so the loop comes straight back for it instead of sleeping on it.
      changed = false;
      expireLeases();
      admitWaiting();
      if (Workflow.getInfo().isContinueAsNewSuggested()) {
        // Let signal handlers finish so no request is lost across the new run, and let every
        // admission be delivered (or fail and free its slot) before the state is handed over.
        Workflow.await(() -> Workflow.isEveryHandlerFinished() && admissionsInFlight == 0);
        Workflow.continueAsNew(state());
      }
      Workflow.await(untilNextLeaseEnds(), () -> changed);
    }
  }

  @Override
  public void request(AdmissionRequest request) {
    if (!serverLimits) {
      // Histories from before the governor read its own limits.
      maxInFlight = request.maxInFlight();
      maxPerNamespace = request.maxInFlightPerNamespace();
    }
    boolean known =
        inFlight.stream().anyMatch(g -> g.workflowId().equals(request.workflowId()))
            || waiting.stream()
                .anyMatch(w -> w.request().workflowId().equals(request.workflowId()));
    if (known) {
      // A retried request activity: already queued or admitted; an admitted one is told again.
      inFlight.stream()
          .filter(g -> g.workflowId().equals(request.workflowId()))
          .findFirst()
          .filter(g -> !tellAdmitted(g.workflowId()))
          .ifPresent(inFlight::remove);
      return;
    }
    waiting.add(new GovernorState.Waiting(request, Workflow.currentTimeMillis()));
    changed = true;
  }

  @Override
  public void release(String workflowId) {
    changed |= inFlight.removeIf(g -> g.workflowId().equals(workflowId));
    changed |= waiting.removeIf(w -> w.request().workflowId().equals(workflowId));
  }

  @Override
  public void actionTaken(ActionMark mark) {
    if (mark != null && mark.problem() != null) {
      recentActions.put(mark.problem(), mark);
    }
  }

  @Override
  public ActionMark lastAction(String problem) {
    ActionMark mark = recentActions.get(problem);
    return mark != null && mark.cooldownUntilMillis() > Workflow.currentTimeMillis() ? mark : null;
  }

  @Override
  public GovernorState state() {
    long now = Workflow.currentTimeMillis();
    // Only marks still inside their cooldown are carried across continue-as-new.
    return new GovernorState(
        inFlight,
        waiting,
        recentActions.values().stream().filter(m -> m.cooldownUntilMillis() > now).toList());
  }

  private void expireLeases() {
    long now = Workflow.currentTimeMillis();
    inFlight.removeIf(
        g -> {
          boolean expired = g.leaseUntilMillis() <= now;
          if (expired) {
            log.warn("Lease of {} expired without a release; slot taken back", g.workflowId());
          }
          return expired;
        });
  }

  private void admitWaiting() {
    waiting.sort(
        Comparator.comparingInt(
                (GovernorState.Waiting w) -> Severities.rank(w.request().severity()))
            .thenComparingLong(GovernorState.Waiting::requestedAtMillis));
    for (GovernorState.Waiting w : new ArrayList<>(waiting)) {
      AdmissionRequest r = w.request();
      long inNamespace = inFlight.stream().filter(g -> g.namespace().equals(r.namespace())).count();
      if (inFlight.size() >= maxInFlight) {
        return;
      }
      if (inNamespace >= maxPerNamespace) {
        continue;
      }
      waiting.remove(w);
      long now = Workflow.currentTimeMillis();
      // Hold the slot before signalling: a duplicate request arriving meanwhile sees it taken.
      GovernorState.Grant grant =
          new GovernorState.Grant(
              r.workflowId(), r.namespace(), r.severity(), now, now + r.leaseSeconds() * 1000);
      inFlight.add(grant);
      if (asyncAdmission) {
        tellAdmittedAsync(grant);
      } else if (tellAdmitted(r.workflowId())) {
        log.info(
            "Admitted {} in namespace {} ({} in flight)",
            r.workflowId(),
            r.namespace(),
            inFlight.size());
      } else {
        inFlight.remove(grant);
      }
    }
  }

  /**
   * Signals the admission without waiting for its delivery; a run that is gone by then gives its
   * slot back to the next in the queue.
   */
  private void tellAdmittedAsync(GovernorState.Grant grant) {
    log.info(
        "Admitting {} in namespace {} ({} in flight)",
        grant.workflowId(),
        grant.namespace(),
        inFlight.size());
    admissionsInFlight++;
    ExternalWorkflowStub remediation = Workflow.newUntypedExternalWorkflowStub(grant.workflowId());
    Async.procedure(remediation::signal, RemediationSignals.ADMITTED, new Object[0])
        .handle(
            (ignored, failure) -> {
              admissionsInFlight--;
              if (failure != null) {
                log.info(
                    "Requester {} is no longer running; not admitted ({})",
                    grant.workflowId(),
                    failure.getMessage());
                inFlight.remove(grant);
                changed = true;
              }
              return null;
            });
  }

  private boolean tellAdmitted(String workflowId) {
    ExternalWorkflowStub remediation = Workflow.newUntypedExternalWorkflowStub(workflowId);
    try {
      remediation.signal(RemediationSignals.ADMITTED);
      return true;
    } catch (SignalExternalWorkflowException | ApplicationFailure e) {
      // The requester is gone (finished or cancelled while waiting): its slot goes to the next.
      log.info("Requester {} is no longer running; not admitted ({})", workflowId, e.getMessage());
      return false;
    }
  }

  private Duration untilNextLeaseEnds() {
    long now = Workflow.currentTimeMillis();
    return inFlight.stream().mapToLong(g -> g.leaseUntilMillis() - now).min().stream()
        .mapToObj(ms -> Duration.ofMillis(Math.max(ms, 1)))
        .findFirst()
        .orElse(IDLE_WAKE);
  }

  @Override
  public GovernorState status() {
    return state();
  }
}
