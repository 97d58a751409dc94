package dev.opsflow.workflows.rollout.canary;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.metrics.MeasurementRequest;
import dev.opsflow.activities.metrics.MetricsActivities;
import dev.opsflow.activities.metrics.MetricsOptions;
import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.ReleaseRequest;
import dev.opsflow.activities.rollout.ReleaseState;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouterActivities;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.CanaryRequest;
import dev.opsflow.contracts.rollout.CanaryRollout;
import dev.opsflow.contracts.rollout.CanaryStep;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.human.FailedStep;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.kernel.ProcedureRun;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.remediation.PolicyTightening;
import dev.opsflow.workflows.rollout.RolloutMetrics;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The canary runbook on the procedure kernel: check the input, approval where the policy asks,
 * deploy the canary beside the stable, then for each step set the weight, wait until the canary is
 * ready and pause while the analysis measures; promote at the end. A failed or errored analysis, an
 * abort, a rejected approval or a passed progress deadline rolls back: the stable back at full
 * capacity, the canary's weight 0, the canary scaled down after the scale-down delay, humans told
 * with the measurements that failed. An inconclusive analysis never passes: it waits for a human to
 * promote or abort. After a rollback the run waits for {@code retry} (from step 1) until the retry
 * window ends.
 *
 * <p>Controls (Updates refused with the reason, signals recorded and ignored when they would not
 * count): {@code pause} holds at the current weight (analysis goes on, a failure still rolls back);
 * {@code resume} ends that hold; {@code promote} ends the current step's pause at once (also an
 * indefinite one and an inconclusive analysis' question) and goes on; {@code promoteFull} skips
 * every remaining step and analysis (an approval before 100% still applies); {@code abort} rolls
 * back; {@code retry} starts again from step 1 after a rollback. The progress deadline counts only
 * the time spent progressing and analysing: waits for a human (pause, indefinite pause,
 * inconclusive, approval) stop its clock, so a paused canary may wait for days.
 */
public class CanaryRolloutImpl implements CanaryRollout {
  private static final Logger log = Workflow.getLogger(CanaryRolloutImpl.class);

  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  private final ReleaseActivities settingsRead =
      Workflow.newLocalActivityStub(ReleaseActivities.class, RolloutOptions.LOCAL_SETTINGS);
  // CEL lives in the activities: the conditions are compiled there, before anything changes.
  private final MetricsActivities validation =
      Workflow.newLocalActivityStub(MetricsActivities.class, RolloutOptions.LOCAL_VALIDATE);
  // A measurement reports Prometheus trouble as inconclusive; a lost one is recorded as such.
  private final MetricsActivities metrics =
      Workflow.newActivityStub(MetricsActivities.class, MetricsOptions.MEASURE);
  // Every change that waits for pods heartbeats; each compares desired with actual state first.
  private final ReleaseActivities release =
      Workflow.newActivityStub(ReleaseActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  private final TrafficRouterActivities router =
      Workflow.newActivityStub(TrafficRouterActivities.class, RolloutOptions.CHANGE_AND_WAIT);

  private final ProcedureRun run =
      new ProcedureRun(RolloutPhase.RECEIVED.name(), (step, target, ok) -> {});
  private final List<RolloutEvent> timeline = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private CanaryRequest request;
  private RolloutTarget target;
  private AnalysisTemplate template;
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private long progressDeadlineMillis;
  private long scaleDownDelayMillis;
  private long retryWindowMillis;
  private boolean approveBeforeFull;

  private RolloutPhase phase = RolloutPhase.RECEIVED;
  private int step;
  private int canaryWeight;
  private AnalysisRun analysis;
  private String failure = "";
  private Long rollbackMillis;
  private String waitingFor = "";
  private boolean touched;
  private int pausesEnded;

  // Controls, set by the handlers and taken by the runbook; each accepted one bumps the counter
  // the waits watch, so a control interrupts a pause at once.
  private int controls;
  private String pausedBy = "";
  private String promotedBy = "";
  private String promotedFullBy = "";
  private String abortedBy = "";
  private String retriedBy = "";

  // The progress deadline's clock: stopped while a human is waited for.
  private long attemptStartedMillis;
  private long heldMillis;
  private long heldSinceMillis = -1;

  /** How one attempt ended. */
  private enum End {
    PROMOTED,
    ROLLED_BACK,
    FINISHED
  }

  @Override
  public RolloutStatus rollout(CanaryRequest request) {
    refuseBadInput(request);
    this.request = request;
    this.target = request.target();
    this.template = request.analysisOrDefault();
    try {
      readPolicy();
      run.begin(
          new ProcedureRun.Identity(
              TYPE, target.namespace() + "/" + target.deployment(), request.run()),
          human);
      log.info(
          "Canary of {}/{} to {} started ({} steps, router {})",
          target.namespace(),
          target.deployment(),
          target.image(),
          request.steps().size(),
          request.router().getClass().getSimpleName());
      while (true) {
        End end = attempt();
        if (end != End.ROLLED_BACK) {
          break;
        }
        if (!awaitRetry()) {
          finish(RolloutPhase.ROLLED_BACK, "rolled back: " + failure);
          break;
        }
      }
    } catch (CanceledFailure e) {
      cancelled();
      throw e;
    } catch (RuntimeException e) {
      if (CancellationScope.current().isCancelRequested()) {
        cancelled();
        throw new CanceledFailure("cancelled while " + phase);
      }
      // Every failure ends in a decision: humans hear why, the run ends FAILED.
      failure = run.failed(e);
      event("failed", false, "", failure);
      finish(RolloutPhase.FAILED, failure);
    }
    return status();
  }

  // ---- admission ----

  /** Refused before anything is read, naming the field. */
  private void refuseBadInput(CanaryRequest request) {
    if (request == null) {
      throw invalid("the request is required (target, steps, analysis, router)");
    }
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw invalid(String.join("; ", problems));
    }
    String id = Workflow.getInfo().getWorkflowId();
    // One rollout per Deployment. The ID never changes within a run; only offline replayers
    // (saved histories) substitute a placeholder, hence the guard.
    if (!Workflow.isReplaying() && !id.equals(request.target().workflowId())) {
      throw invalid(
          "workflow ID must be "
              + request.target().workflowId()
              + " (got "
              + id
              + "), so two rollouts of one Deployment can never run at once");
    }
    try {
      validation.validateAnalysis(
          request.analysisOrDefault(),
          new AnalysisSubject(
              request.target().namespace(),
              request.target().service(),
              request.target().canaryDeployment(),
              request.target().deployment()));
    } catch (ActivityFailure e) {
      throw invalid("analysis: " + Failures.reason(e));
    }
  }

  private static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
  }

  /** The server's human policy and {@code rollout.*} bounds, tightened (never loosened). */
  private void readPolicy() {
    PolicyTightening.HumanResult people =
        PolicyTightening.human(
            policies.serverPolicy().human(TYPE), request.run().human(), target.namespace());
    human = people.policy();
    notes.addAll(people.notes());
    RolloutSettings server = settingsRead.settings();
    progressDeadlineMillis =
        tightened("progressDeadline", request.progressDeadline(), server.progressDeadlineSeconds());
    scaleDownDelayMillis =
        tightened("scaleDownDelay", request.scaleDownDelay(), server.scaleDownDelaySeconds());
    retryWindowMillis =
        tightened("retryWindow", request.retryWindow(), server.retryWindowSeconds());
    approveBeforeFull = server.requireApproval() || request.approveBeforeFull();
    if (server.requireApproval() && !request.approveBeforeFull()) {
      notes.add("approval before 100% required by the server (rollout.requireApproval)");
    }
    if (approveBeforeFull && human.approvalFor(target.namespace()) == null) {
      throw invalid(
          "approveBeforeFull: an approval before 100% is required, but nobody may approve a "
              + TYPE
              + " in "
              + target.namespace()
              + " (procedures."
              + TYPE
              + ".approval in opsflow.yaml, or run.human.approval in the request)");
    }
    notes.forEach(n -> log.warn("Canary of {}: {}", target.workflowId(), n));
  }

  /** The request's value when it is at most the server's, else the server's (noted). */
  private long tightened(String field, Duration requested, long serverSeconds) {
    long server = serverSeconds * 1000;
    if (requested == null) {
      return server;
    }
    if (requested.toMillis() <= server) {
      return requested.toMillis();
    }
    notes.add(
        field
            + " "
            + requested
            + " is longer than the server's "
            + Duration.ofMillis(server)
            + " (rollout."
            + field
            + "): ignored");
    return server;
  }

  // ---- the runbook ----

  /** One attempt, from the approval to promoted or rolled back. */
  private End attempt() {
    attemptStartedMillis = Workflow.currentTimeMillis();
    heldMillis = 0;
    heldSinceMillis = -1;
    if (!approved("start the canary of " + describeTarget(), true)) {
      return end(RolloutPhase.ROLLED_BACK, "not started: " + failure);
    }
    if (!abortedBy.isEmpty()) {
      return end(RolloutPhase.ROLLED_BACK, "aborted by " + abortedBy + " before anything changed");
    }
    enter(RolloutPhase.PROGRESSING, "deploying the canary " + target.canaryDeployment());
    ReleaseState deployed;
    try {
      deployed = release.deployCanary(releaseRequest(0));
    } catch (ActivityFailure e) {
      failure = "the canary could not be deployed: " + Failures.reason(e);
      event("deploy", false, "", failure + "; no traffic was moved");
      escalate(failure + "; no traffic was moved");
      return End.FINISHED;
    }
    touched = true;
    event("deploy", true, "", deployed.detail() + " (capacity " + deployed.capacity() + ")");
    List<CanaryStep> steps = request.steps();
    for (int i = 0; i < steps.size(); i++) {
      boolean last = i == steps.size() - 1;
      if (!promotedFullBy.isEmpty() && !last) {
        continue; // promoteFull: straight to the last step (100%), no more analysis
      }
      step = i + 1;
      CanaryStep current = steps.get(i);
      String stop = holdBeforeStep();
      if (stop != null) {
        return rollback(stop, List.of());
      }
      if (last && approveBeforeFull && !approved("give " + target.image() + " 100%", false)) {
        return rollback(failure, List.of());
      }
      if (!abortedBy.isEmpty()) {
        return rollback("aborted by " + abortedBy, List.of());
      }
      String moved = moveTraffic(current.weight());
      if (moved != null) {
        return rollback(moved, List.of());
      }
      if (!promotedFullBy.isEmpty()) {
        continue;
      }
      StepOutcome outcome = pause(current);
      if (outcome.rollback() != null) {
        return rollback(outcome.rollback(), outcome.failed());
      }
    }
    return promote();
  }

  /**
   * Waits while an operator holds the rollout before the next weight; a reason to stop, or null.
   */
  private String holdBeforeStep() {
    while (!pausedBy.isEmpty() && abortedBy.isEmpty() && promotedFullBy.isEmpty()) {
      hold(true);
      waitingFor = "resume (paused by " + pausedBy + " before step " + step + ")";
      enter(RolloutPhase.PAUSED, "paused by " + pausedBy + " before step " + step);
      int seen = controls;
      Workflow.await(() -> controls != seen);
    }
    hold(false);
    waitingFor = "";
    if (!abortedBy.isEmpty()) {
      return "aborted by " + abortedBy;
    }
    if (deadlinePassed()) {
      return deadlineReason();
    }
    return null;
  }

  /**
   * Sets a step's weight: the canary first gets its share of pods and is waited for until ready,
   * then the router moves the traffic. A failure to do so rolls back (the reason), else null.
   */
  private String moveTraffic(int weight) {
    enter(RolloutPhase.PROGRESSING, "step " + step + ": " + weight + "% to " + target.image());
    try {
      ReleaseState scaled = release.scaleCanary(releaseRequest(weight));
      event("scale-canary", true, "", scaled.detail());
      RouterState routed =
          router.setWeight(new WeightRequest(actionId(), target, request.router(), weight));
      canaryWeight = routed.canaryWeight();
      event("weight", true, "", "step " + step + ": asked " + weight + "%, " + routed.detail());
      run.record("weight", target.deployment(), true, weight + "%: " + routed.detail());
    } catch (ActivityFailure e) {
      String reason = "step " + step + " (" + weight + "%) failed: " + Failures.reason(e);
      event("weight", false, "", reason);
      run.record("weight", target.deployment(), false, reason);
      return reason;
    }
    return deadlinePassed() ? deadlineReason() : null;
  }

  /** How a step's pause ended: go on (rollback null), or roll back with why and what failed. */
  private record StepOutcome(String rollback, List<MetricProgress> failed) {
    static final StepOutcome NEXT = new StepOutcome(null, List.of());
  }

  /**
   * A step's pause with the analysis measuring during it. Goes on when the pause is over and the
   * analysis passed (a pause longer than the analysis waits; an analysis longer than the pause is
   * waited for), or at once on promote; an indefinite pause waits for promote. Controls interrupt
   * the waits at once.
   */
  private StepOutcome pause(CanaryStep current) {
    try {
      return pauseAndMeasure(current);
    } finally {
      pausesEnded++; // settles a question this pause asked, whichever way it ended
    }
  }

  private StepOutcome pauseAndMeasure(CanaryStep current) {
    long now = Workflow.currentTimeMillis();
    boolean measured = current.indefinite() || !current.pause().isZero();
    // A measurement right after the weight moved finds no traffic of the new version yet (a rate
    // needs samples), so it would be inconclusive at once: each metric first measures one of its
    // intervals later, as a step's own traffic has come in.
    boolean afterInterval =
        Workflow.getVersion("analysis-first-after-interval", Workflow.DEFAULT_VERSION, 1) >= 1;
    analysis =
        !measured
            ? null
            : afterInterval
                ? AnalysisRun.startAfterOneInterval(template, now)
                : AnalysisRun.start(template, now);
    long pauseEnds = current.indefinite() ? Long.MAX_VALUE : now + current.pause().toMillis();
    promotedBy = "";
    Promise<Void> told = null;
    while (true) {
      if (!abortedBy.isEmpty()) {
        return new StepOutcome("aborted by " + abortedBy, List.of());
      }
      if (!promotedFullBy.isEmpty()) {
        event("promote-full", true, promotedFullBy, "remaining steps and analysis skipped");
        return StepOutcome.NEXT;
      }
      if (!promotedBy.isEmpty()) {
        event("promote", true, promotedBy, "step " + step + "'s pause ended by " + promotedBy);
        pausedBy = "";
        return StepOutcome.NEXT;
      }
      measureDue();
      AnalysisVerdict verdict = analysis == null ? AnalysisVerdict.SUCCESSFUL : analysis.verdict();
      if (verdict == AnalysisVerdict.FAILED || verdict == AnalysisVerdict.ERROR) {
        List<MetricProgress> deciders = analysis.deciders();
        event("analysis", false, RunEnvelope.AUTOMATON, verdict + ": " + describe(deciders));
        return new StepOutcome(
            "analysis " + verdict.name().toLowerCase() + " at step " + step, deciders);
      }
      now = Workflow.currentTimeMillis();
      boolean inconclusive = verdict == AnalysisVerdict.INCONCLUSIVE;
      boolean held = inconclusive || !pausedBy.isEmpty() || current.indefinite();
      if (!held && now >= pauseEnds && verdict == AnalysisVerdict.SUCCESSFUL) {
        if (analysis != null) {
          event("analysis", true, RunEnvelope.AUTOMATON, "successful: " + describe(analysis));
        }
        return StepOutcome.NEXT;
      }
      hold(held);
      if (!held && deadlinePassed()) {
        return new StepOutcome(deadlineReason(), List.of());
      }
      if (inconclusive) {
        if (told == null) {
          String why = describe(analysis.deciders());
          waitingFor = "promote or abort: the analysis at step " + step + " was inconclusive";
          enter(RolloutPhase.INCONCLUSIVE, "analysis inconclusive at step " + step + ": " + why);
          event("analysis", false, RunEnvelope.AUTOMATON, "inconclusive (never a pass): " + why);
          String text =
              "opsflow: the canary of "
                  + describeTarget()
                  + " is paused at "
                  + canaryWeight
                  + "%: its analysis was inconclusive ("
                  + why
                  + "). Answer promote or abort on workflow "
                  + target.workflowId();
          int question = pausesEnded;
          told = Async.procedure(() -> run.tellHumans(text, () -> pausesEnded != question));
        }
      } else if (!pausedBy.isEmpty()) {
        waitingFor = "resume (paused by " + pausedBy + " at step " + step + ")";
        enter(RolloutPhase.PAUSED, "paused by " + pausedBy + " at " + canaryWeight + "%");
      } else if (current.indefinite()) {
        waitingFor = "promote: step " + step + " pauses until an operator promotes";
        enter(RolloutPhase.PAUSED, "step " + step + " waits for promote at " + canaryWeight + "%");
      } else {
        waitingFor = "";
        enter(
            RolloutPhase.ANALYSING,
            "step " + step + " at " + canaryWeight + "%: " + describe(analysis));
      }
      long wake = analysis == null ? Long.MAX_VALUE : analysis.nextMeasurementAtMillis();
      if (!held) {
        // A pause already over only waits for its analysis: capping the wait at a past end would
        // loop without yielding (the deadlock detector failed the workflow task at every step).
        if (pauseEnds > now) {
          wake = Math.min(wake, pauseEnds);
        }
        wake = Math.min(wake, now + deadlineLeftMillis());
      }
      int seen = controls;
      if (wake == Long.MAX_VALUE) {
        Workflow.await(() -> controls != seen);
      } else if (wake > now) {
        Workflow.await(Duration.ofMillis(wake - now), () -> controls != seen);
      }
    }
  }

  /** Takes every measurement that is due now and records it. */
  private void measureDue() {
    if (analysis == null) {
      return;
    }
    AnalysisSubject subject =
        new AnalysisSubject(
            target.namespace(), target.service(), target.canaryDeployment(), target.deployment());
    for (MetricCheck due : analysis.due(Workflow.currentTimeMillis())) {
      Measurement m;
      try {
        m = metrics.measure(new MeasurementRequest(due, subject));
      } catch (ActivityFailure e) {
        m = AnalysisRun.couldNotMeasure(due.name(), Failures.reason(e));
      }
      analysis = analysis.record(m, Workflow.currentTimeMillis());
    }
  }

  /** The last step passed: the stable gets the new version, then the traffic, then the canary. */
  private End promote() {
    enter(RolloutPhase.PROMOTING, "promoting " + target.image() + " to " + target.deployment());
    waitingFor = "";
    try {
      ReleaseState promoted = release.promote(releaseRequest(100));
      event("promote-stable", true, "", promoted.detail());
      RouterState routed =
          router.setWeight(new WeightRequest(actionId(), target, request.router(), 0));
      canaryWeight = routed.canaryWeight();
      event("weight", true, "", "stable (now " + target.image() + ") holds all traffic");
      ReleaseState down = release.scaleCanaryDown(releaseRequest(0));
      event("scale-down", true, "", down.detail());
    } catch (ActivityFailure e) {
      String reason = "the promotion failed: " + Failures.reason(e);
      failure = reason;
      event("promote-stable", false, "", reason);
      escalate(
          reason
              + "; the stable "
              + target.deployment()
              + " may run a mix of versions: check it and finish or undo the rollout by hand");
      return End.FINISHED;
    }
    run.ladder()
        .slack(
            "opsflow: the canary of "
                + describeTarget()
                + " was promoted: "
                + target.deployment()
                + " runs "
                + target.image()
                + "\n"
                + timelineText(),
            null);
    return end(RolloutPhase.PROMOTED, target.deployment() + " runs " + target.image());
  }

  /**
   * Takes the traffic back: the stable at full capacity first (so capacity never dips), then the
   * canary's weight to 0; the time from here to there is the rollback time. Then humans hear why,
   * and after the scale-down delay the canary's pods go. A rollback that fails escalates.
   */
  private End rollback(String reason, List<MetricProgress> failed) {
    failure = reason;
    long startedAt = Workflow.currentTimeMillis();
    hold(false);
    waitingFor = "";
    enter(RolloutPhase.ROLLING_BACK, reason);
    event("rollback", true, abortedBy.isEmpty() ? RunEnvelope.AUTOMATON : abortedBy, reason);
    if (touched) {
      try {
        ReleaseState restored = release.restoreStable(releaseRequest(0));
        event("restore-stable", true, "", restored.detail());
        RouterState routed =
            router.setWeight(new WeightRequest(actionId(), target, request.router(), 0));
        canaryWeight = routed.canaryWeight();
        event("weight", true, "", "canary at 0%: " + routed.detail());
      } catch (ActivityFailure e) {
        String why = "the rollback failed: " + Failures.reason(e) + " (after: " + reason + ")";
        failure = why;
        event("rollback", false, "", why);
        escalate(why + "; the canary may still take " + canaryWeight + "% of the traffic");
        return End.FINISHED;
      }
    }
    rollbackMillis = Workflow.currentTimeMillis() - startedAt;
    RolloutMetrics.rolledBack(TYPE, rollbackMillis);
    run.record("rollback", target.deployment(), true, reason + " (" + rollbackMillis + " ms)");
    run.ladder()
        .slack(
            "opsflow: the canary of "
                + describeTarget()
                + " was rolled back in "
                + rollbackMillis
                + " ms: "
                + reason
                + (failed.isEmpty() ? "" : ". Failed measurements: " + describe(failed))
                + ". Retry within "
                + Duration.ofMillis(retryWindowMillis)
                + " on workflow "
                + target.workflowId(),
            null);
    enter(RolloutPhase.ABORTED, "rolled back: " + reason);
    waitingFor = "retry (until the retry window ends)";
    if (touched) {
      Workflow.sleep(Duration.ofMillis(scaleDownDelayMillis));
      try {
        ReleaseState down = release.scaleCanaryDown(releaseRequest(0));
        event("scale-down", true, "", down.detail());
      } catch (ActivityFailure e) {
        // Traffic is already off the canary: its idle pods are a cost, not a danger.
        event(
            "scale-down", false, "", "the canary could not be scaled down: " + Failures.reason(e));
        run.tellHumans(
            "opsflow: the rolled-back canary "
                + target.canaryDeployment()
                + " could not be scaled down: "
                + Failures.reason(e)
                + " (it takes no traffic)",
            () -> false);
      }
    }
    return End.ROLLED_BACK;
  }

  /** After a rollback: waits for {@code retry} until the retry window ends. */
  private boolean awaitRetry() {
    long until = Workflow.currentTimeMillis() + retryWindowMillis;
    while (retriedBy.isEmpty()) {
      long left = until - Workflow.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      waitingFor = "retry until " + java.time.Instant.ofEpochMilli(until);
      int seen = controls;
      Workflow.await(Duration.ofMillis(left), () -> controls != seen);
    }
    event("retry", true, retriedBy, "starting again from step 1");
    retriedBy = "";
    abortedBy = "";
    pausedBy = "";
    promotedBy = "";
    promotedFullBy = "";
    failure = "";
    waitingFor = "";
    step = 0;
    analysis = null;
    return true;
  }

  /**
   * The kernel's approval gate where the human policy asks for one: at the start ({@code start}),
   * or before 100% when {@code approveBeforeFull}. True when approved or none is needed; an abort
   * ends the wait.
   */
  private boolean approved(String plan, boolean start) {
    ApprovalPolicy policy = human.approvalFor(target.namespace());
    if (policy == null) {
      return true;
    }
    hold(true);
    waitingFor = "approval: " + plan;
    phase = RolloutPhase.AWAITING_APPROVAL; // the gate enters the kernel's phase itself
    ApprovalResult result =
        run.approval(
            RolloutPhase.AWAITING_APPROVAL.name(), plan, policy, () -> !abortedBy.isEmpty());
    hold(false);
    waitingFor = "";
    String outcome =
        result == ApprovalResult.PENDING
            ? "aborted by " + abortedBy + " while waiting for approval: " + plan
            : run.approvalOutcome(result, plan);
    String by =
        result == ApprovalResult.PENDING
            ? abortedBy
            : run.decisions().stream()
                .filter(d -> d.ignoredBecause().isEmpty())
                .reduce((a, b) -> b)
                .map(d -> d.by())
                .orElse("");
    event("approval", result == ApprovalResult.APPROVED, by, outcome);
    if (result == ApprovalResult.APPROVED) {
      return true;
    }
    failure = result == ApprovalResult.PENDING ? "aborted by " + abortedBy : outcome;
    if (result == ApprovalResult.ESCALATE) {
      RunMetrics.escalated(TYPE, RolloutPhase.AWAITING_APPROVAL.name());
    }
    return false;
  }

  // ---- the ways a run ends ----

  /** Ends the run here: nothing to wait for (promoted, or stopped before anything changed). */
  private End end(RolloutPhase how, String why) {
    finish(how, why);
    return how == RolloutPhase.PROMOTED ? End.PROMOTED : End.FINISHED;
  }

  /** Something a human must look at: tell them, end FAILED. */
  private void escalate(String why) {
    stopIfCancelled();
    RunMetrics.escalated(TYPE, phase.name());
    run.tellHumans(
        "opsflow: the canary of " + describeTarget() + " needs a human: " + why, () -> false);
    finish(RolloutPhase.FAILED, why);
  }

  private void finish(RolloutPhase how, String why) {
    waitingFor = "";
    enter(how, why);
    RolloutMetrics.ended(TYPE, how, Workflow.currentTimeMillis() - run.startedAtMillis());
    log.info("Canary of {} ended {}: {}", target.workflowId(), how, why);
  }

  /**
   * Cancelled (Web UI, tctl): the traffic goes back to the stable in a detached scope, so a
   * cancelled canary never keeps a share of the traffic nobody watches.
   */
  private void cancelled() {
    if (touched && canaryWeight > 0) {
      Workflow.newDetachedCancellationScope(
              () -> {
                try {
                  release.restoreStable(releaseRequest(0));
                  canaryWeight =
                      router
                          .setWeight(new WeightRequest(actionId(), target, request.router(), 0))
                          .canaryWeight();
                  event("rollback", true, "", "cancelled: the stable holds all traffic again");
                } catch (ActivityFailure e) {
                  event("rollback", false, "", "cancelled; rollback failed: " + Failures.reason(e));
                }
              })
          .run();
    }
    run.cancelled("CANCELLED");
    phase = RolloutPhase.FAILED;
    failure = "cancelled: " + run.cancelledBy();
    RolloutMetrics.ended(
        TYPE, RolloutPhase.RECEIVED, Workflow.currentTimeMillis() - run.startedAtMillis());
  }

  private void stopIfCancelled() {
    if (CancellationScope.current().isCancelRequested()) {
      throw new CanceledFailure("cancelled while " + phase);
    }
  }

  // ---- the progress deadline ----

  /** Starts or stops the deadline's clock: a wait for a human does not count. */
  private void hold(boolean held) {
    long now = Workflow.currentTimeMillis();
    if (held && heldSinceMillis < 0) {
      heldSinceMillis = now;
    } else if (!held && heldSinceMillis >= 0) {
      heldMillis += now - heldSinceMillis;
      heldSinceMillis = -1;
    }
  }

  private long deadlineLeftMillis() {
    long now = Workflow.currentTimeMillis();
    long held = heldMillis + (heldSinceMillis < 0 ? 0 : now - heldSinceMillis);
    return progressDeadlineMillis - (now - attemptStartedMillis - held);
  }

  private boolean deadlinePassed() {
    return deadlineLeftMillis() <= 0;
  }

  private String deadlineReason() {
    return "the progress deadline ("
        + Duration.ofMillis(progressDeadlineMillis)
        + " of progressing and analysing) passed at step "
        + step
        + " of "
        + request.steps().size();
  }

  // ---- records, descriptions ----

  private void enter(RolloutPhase next, String why) {
    phase = next;
    run.enter(next.name(), why);
  }

  private void event(String name, boolean success, String by, String detail) {
    timeline.add(
        new RolloutEvent(name, Workflow.currentTimeMillis(), canaryWeight, by, success, detail));
  }

  private ReleaseRequest releaseRequest(int weight) {
    return new ReleaseRequest(actionId(), target.workflowId(), target, weight);
  }

  private static String actionId() {
    return Workflow.randomUUID().toString();
  }

  private String describeTarget() {
    return target.namespace() + "/" + target.deployment() + " to " + target.image();
  }

  private static String describe(AnalysisRun run) {
    return describe(run.metrics());
  }

  /** Each metric's verdict, counts and last measurement, as humans read them. */
  static String describe(List<MetricProgress> metrics) {
    List<String> parts = new ArrayList<>();
    for (MetricProgress m : metrics) {
      StringBuilder s =
          new StringBuilder(m.metric())
              .append(m.dryRun() ? " (dry run)" : "")
              .append(' ')
              .append(m.verdict().name().toLowerCase())
              .append(" (")
              .append(m.successful())
              .append(" ok, ")
              .append(m.failed())
              .append(" failed, ")
              .append(m.inconclusive())
              .append(" inconclusive, ")
              .append(m.errors())
              .append(" errors)");
      if (m.last() != null) {
        s.append(", last ")
            .append(m.last().phase().name().toLowerCase())
            .append(m.last().values().isEmpty() ? "" : " " + m.last().values())
            .append(
                m.last().stableValues().isEmpty() ? "" : " vs stable " + m.last().stableValues())
            .append(
                m.last().message() == null || m.last().message().isEmpty()
                    ? ""
                    : ": " + m.last().message());
      }
      parts.add(s.toString());
    }
    return parts.isEmpty() ? "no metrics" : String.join("; ", parts);
  }

  private String timelineText() {
    StringBuilder text = new StringBuilder();
    for (RolloutEvent e : timeline) {
      text.append(java.time.Instant.ofEpochMilli(e.atMillis()))
          .append(' ')
          .append(e.step())
          .append(" @")
          .append(e.canaryWeight())
          .append('%')
          .append(e.decidedBy().isEmpty() ? "" : " by " + e.decidedBy())
          .append(e.success() ? ": " : ": FAILED ")
          .append(e.detail())
          .append('\n');
    }
    return text.toString();
  }

  // ---- queries, controls ----

  @Override
  public RolloutStatus status() {
    return new RolloutStatus(
        TYPE,
        target == null ? "" : target.namespace(),
        target == null ? "" : target.deployment(),
        target == null ? "" : target.image(),
        phase,
        step,
        request == null ? 0 : request.steps().size(),
        canaryWeight,
        100 - canaryWeight,
        waitingFor,
        pausedBy,
        analysis == null ? List.of() : analysis.metrics(),
        failure,
        rollbackMillis,
        timeline,
        notes);
  }

  @Override
  public Progress progress() {
    return run.progress();
  }

  private boolean ended() {
    return phase == RolloutPhase.PROMOTED
        || phase == RolloutPhase.ROLLED_BACK
        || phase == RolloutPhase.FAILED;
  }

  /** Why {@code command} would not count now, or null when it would. */
  private Refusal refusal(String command, Decision decision) {
    if (decision == null || decision.by() == null || decision.by().isBlank()) {
      return new Refusal(Refusal.WHO_REQUIRED, "'by' is required: who asks to " + command);
    }
    if (ended()) {
      return new Refusal(
          Refusal.NOTHING_PENDING, "the rollout has ended (" + phase + "): nothing to " + command);
    }
    return switch (command) {
      case RolloutNames.PAUSE -> {
        if (!pausedBy.isEmpty()) {
          yield new Refusal(Refusal.ALREADY_DECIDED, "already paused by " + pausedBy);
        }
        yield in(RolloutPhase.PROGRESSING, RolloutPhase.ANALYSING, RolloutPhase.PAUSED)
            ? null
            : new Refusal(Refusal.NOT_A_CHOICE, "nothing to pause in phase " + phase);
      }
      case RolloutNames.RESUME ->
          !pausedBy.isEmpty()
              ? null
              : new Refusal(
                  Refusal.NOTHING_PENDING,
                  "not paused by an operator (phase "
                      + phase
                      + ")"
                      + (phase == RolloutPhase.PAUSED || phase == RolloutPhase.INCONCLUSIVE
                          ? "; this pause ends with promote"
                          : ""));
      case RolloutNames.PROMOTE -> {
        if (in(RolloutPhase.ANALYSING, RolloutPhase.PAUSED, RolloutPhase.INCONCLUSIVE)) {
          yield promotedBy.isEmpty()
              ? null
              : new Refusal(Refusal.ALREADY_DECIDED, "already promoted by " + promotedBy);
        }
        yield new Refusal(
            Refusal.NOT_A_CHOICE,
            switch (phase) {
              case PROGRESSING -> "step " + step + "'s weight is being set; promote once it pauses";
              case AWAITING_APPROVAL -> "waits for approval: approve or reject";
              default -> "no step pauses in phase " + phase;
            });
      }
      case RolloutNames.PROMOTE_FULL -> {
        if (!promotedFullBy.isEmpty()) {
          yield new Refusal(Refusal.ALREADY_DECIDED, "already promoted fully by " + promotedFullBy);
        }
        yield in(
                RolloutPhase.PROGRESSING,
                RolloutPhase.ANALYSING,
                RolloutPhase.PAUSED,
                RolloutPhase.INCONCLUSIVE)
            ? null
            : new Refusal(Refusal.NOT_A_CHOICE, "nothing to promote in phase " + phase);
      }
      case RolloutNames.ABORT -> {
        if (!abortedBy.isEmpty() || in(RolloutPhase.ROLLING_BACK, RolloutPhase.ABORTED)) {
          yield new Refusal(
              Refusal.ALREADY_DECIDED,
              "already "
                  + (phase == RolloutPhase.ABORTED ? "rolled back" : "rolling back")
                  + (abortedBy.isEmpty() ? "" : " (aborted by " + abortedBy + ")"));
        }
        yield phase == RolloutPhase.PROMOTING
            ? new Refusal(
                Refusal.NOT_A_CHOICE,
                "the promotion is under way: the stable is getting " + target.image())
            : null;
      }
      case RolloutNames.RETRY -> {
        if (phase == RolloutPhase.ABORTED) {
          yield retriedBy.isEmpty()
              ? null
              : new Refusal(Refusal.ALREADY_DECIDED, "already retried by " + retriedBy);
        }
        yield new Refusal(
            phase == RolloutPhase.ROLLING_BACK ? Refusal.NOT_A_CHOICE : Refusal.NOTHING_PENDING,
            phase == RolloutPhase.ROLLING_BACK
                ? "the rollback is under way; retry once it finished"
                : "nothing to retry: the rollout was not rolled back (phase " + phase + ")");
      }
      default -> new Refusal(Refusal.NOT_A_CHOICE, "unknown command " + command);
    };
  }

  private boolean in(RolloutPhase... phases) {
    for (RolloutPhase p : phases) {
      if (phase == p) {
        return true;
      }
    }
    return false;
  }

  private void validate(String command, Decision decision) {
    Refusal refusal = refusal(command, decision);
    if (refusal != null) {
      throw refusal.failure();
    }
  }

  /** Applies {@code command} when it counts, else records it as ignored; the status after. */
  private RolloutStatus control(String command, Decision decision, Supplier<String> apply) {
    Refusal refusal = refusal(command, decision);
    if (refusal != null) {
      event(command, false, decision == null ? "" : decision.by(), "ignored: " + refusal.message());
      log.warn("Ignored {}: {}", command, refusal.message());
      return status();
    }
    String detail = apply.get();
    String comment = decision.comment() == null ? "" : " (" + decision.comment() + ")";
    event(command, true, decision.by(), detail + comment);
    controls++;
    return status();
  }

  private RolloutStatus doPause(Decision d) {
    return control(
        RolloutNames.PAUSE,
        d,
        () -> {
          pausedBy = d.by();
          return "held at " + canaryWeight + "%";
        });
  }

  private RolloutStatus doResume(Decision d) {
    return control(
        RolloutNames.RESUME,
        d,
        () -> {
          String was = pausedBy;
          pausedBy = "";
          return "resumed (paused by " + was + ")";
        });
  }

  private RolloutStatus doPromote(Decision d) {
    return control(
        RolloutNames.PROMOTE,
        d,
        () -> {
          promotedBy = d.by();
          return "step " + step + "'s pause ends";
        });
  }

  private RolloutStatus doPromoteFull(Decision d) {
    return control(
        RolloutNames.PROMOTE_FULL,
        d,
        () -> {
          promotedFullBy = d.by();
          pausedBy = "";
          return "every remaining step skipped";
        });
  }

  private RolloutStatus doAbort(Decision d) {
    return control(
        RolloutNames.ABORT,
        d,
        () -> {
          abortedBy = d.by();
          return "rolling back";
        });
  }

  private RolloutStatus doRetry(Decision d) {
    return control(
        RolloutNames.RETRY,
        d,
        () -> {
          retriedBy = d.by();
          return "starting again from step 1";
        });
  }

  @Override
  public RolloutStatus pauseChecked(Decision decision) {
    return doPause(decision);
  }

  @Override
  public void validatePause(Decision decision) {
    validate(RolloutNames.PAUSE, decision);
  }

  @Override
  public void pause(Decision decision) {
    doPause(decision);
  }

  @Override
  public RolloutStatus resumeChecked(Decision decision) {
    return doResume(decision);
  }

  @Override
  public void validateResume(Decision decision) {
    validate(RolloutNames.RESUME, decision);
  }

  @Override
  public void resume(Decision decision) {
    doResume(decision);
  }

  @Override
  public RolloutStatus promoteChecked(Decision decision) {
    return doPromote(decision);
  }

  @Override
  public void validatePromote(Decision decision) {
    validate(RolloutNames.PROMOTE, decision);
  }

  @Override
  public void promote(Decision decision) {
    doPromote(decision);
  }

  @Override
  public RolloutStatus promoteFullChecked(Decision decision) {
    return doPromoteFull(decision);
  }

  @Override
  public void validatePromoteFull(Decision decision) {
    validate(RolloutNames.PROMOTE_FULL, decision);
  }

  @Override
  public void promoteFull(Decision decision) {
    doPromoteFull(decision);
  }

  @Override
  public RolloutStatus abortChecked(Decision decision) {
    return doAbort(decision);
  }

  @Override
  public void validateAbort(Decision decision) {
    validate(RolloutNames.ABORT, decision);
  }

  @Override
  public void abort(Decision decision) {
    doAbort(decision);
  }

  @Override
  public RolloutStatus retryChecked(Decision decision) {
    return doRetry(decision);
  }

  @Override
  public void validateRetry(Decision decision) {
    validate(RolloutNames.RETRY, decision);
  }

  @Override
  public void retry(Decision decision) {
    doRetry(decision);
  }

  @Override
  public void approve(Decision decision) {
    run.decide(decision, true);
  }

  @Override
  public void reject(Decision decision) {
    run.decide(decision, false);
  }

  @Override
  public ApprovalStatus approveChecked(Decision decision) {
    return run.decide(decision, true);
  }

  @Override
  public void validateApprove(Decision decision) {
    run.validateDecision(decision);
  }

  @Override
  public ApprovalStatus rejectChecked(Decision decision) {
    return run.decide(decision, false);
  }

  @Override
  public void validateReject(Decision decision) {
    run.validateDecision(decision);
  }

  @Override
  public void retryStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.RETRY, decision);
  }

  @Override
  public void skipStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.SKIP, decision);
  }

  @Override
  public void failStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.FAIL, decision);
  }

  @Override
  public void acknowledge(Decision decision) {
    run.acknowledge(decision);
  }
}
