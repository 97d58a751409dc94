package dev.opsflow.workflows.rollout.canary;

import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.ReleaseRequest;
import dev.opsflow.activities.rollout.ReleaseState;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouterActivities;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.CanaryRequest;
import dev.opsflow.contracts.rollout.CanaryRollout;
import dev.opsflow.contracts.rollout.CanaryStep;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.rollout.MeasuredAnalysis;
import dev.opsflow.workflows.rollout.RolloutControls;
import dev.opsflow.workflows.rollout.RolloutMetrics;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
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
public class CanaryRolloutImpl extends RolloutControls implements CanaryRollout {
  private static final Logger log = Workflow.getLogger(CanaryRolloutImpl.class);

  // Every change that waits for pods heartbeats; each compares desired with actual state first.
  private final ReleaseActivities release =
      Workflow.newActivityStub(ReleaseActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  private final TrafficRouterActivities router =
      Workflow.newActivityStub(TrafficRouterActivities.class, RolloutOptions.CHANGE_AND_WAIT);

  private CanaryRequest request;
  private AnalysisTemplate template;
  private long progressDeadlineMillis;
  private long scaleDownDelayMillis;
  private long retryWindowMillis;
  private boolean approveBeforeFull;
  private boolean touched;

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
    return toDecision(
        () -> {
          readPolicy();
          begin(request.run());
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
            if (!awaitRetry(retryWindowMillis, "starting again from step 1")) {
              finish(RolloutPhase.ROLLED_BACK, "rolled back: " + failure);
              break;
            }
          }
        });
  }

  // ---- admission ----

  /** Refused before anything is read, naming the field. */
  private void refuseBadInput(CanaryRequest request) {
    if (request == null) {
      throw invalid("the request is required (target, steps, analysis, router)");
    }
    refuseProblems(request.problems());
    refuseForeignId(request.target(), false);
    refuseBadAnalysis(
        "analysis",
        request.analysisOrDefault(),
        new AnalysisSubject(
            request.target().namespace(),
            request.target().service(),
            request.target().canaryDeployment(),
            request.target().deployment()));
  }

  /** The server's human policy and {@code rollout.*} bounds, tightened (never loosened). */
  private void readPolicy() {
    readHumanPolicy(request.run());
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
    logNotes();
  }

  // ---- the runbook ----

  /** One attempt, from the approval to promoted or rolled back. */
  private End attempt() {
    attemptStartedMillis = Workflow.currentTimeMillis();
    heldMillis = 0;
    heldSinceMillis = -1;
    if (!approved("start the canary of " + describeTarget())) {
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
      if (last && approveBeforeFull && !approved("give " + target.image() + " 100%")) {
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
      Watched outcome = pause(current);
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

  /**
   * A step's pause with the analysis measuring during it. Goes on when the pause is over and the
   * analysis passed, or at once on promote; an indefinite pause waits for promote.
   */
  private Watched pause(CanaryStep current) {
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
    AnalysisSubject subject =
        new AnalysisSubject(
            target.namespace(), target.service(), target.canaryDeployment(), target.deployment());
    return watch(
        new Watch(subject, pauseEnds, "") {
          @Override
          protected void promoted(String by, boolean full) {
            if (full) {
              event("promote-full", true, by, "remaining steps and analysis skipped");
            } else {
              event("promote", true, by, "step " + step + "'s pause ended by " + by);
            }
          }

          @Override
          protected String failed(String verdict) {
            return "analysis " + verdict + " at step " + step;
          }

          @Override
          protected String inconclusiveWaitsFor() {
            return "promote or abort: the analysis at step " + step + " was inconclusive";
          }

          @Override
          protected String inconclusive(String why) {
            return "analysis inconclusive at step " + step + ": " + why;
          }

          @Override
          protected String inconclusiveMessage(String why) {
            return "opsflow: the canary of "
                + describeTarget()
                + " is paused at "
                + canaryWeight
                + "%: its analysis was inconclusive ("
                + why
                + "). Answer promote or abort on workflow "
                + target.workflowId();
          }

          @Override
          protected String pausedWaitsFor() {
            return "resume (paused by " + pausedBy + " at step " + step + ")";
          }

          @Override
          protected String indefiniteWaitsFor() {
            return "promote: step " + step + " pauses until an operator promotes";
          }

          @Override
          protected String indefinite() {
            return "step " + step + " waits for promote at " + canaryWeight + "%";
          }

          @Override
          protected String analysing() {
            return "step " + step + " at " + canaryWeight + "%: " + describe(analysis);
          }
        });
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

  // ---- the ways a run ends ----

  /** Ends the run here: nothing to wait for (promoted, or stopped before anything changed). */
  private End end(RolloutPhase how, String why) {
    finish(how, why);
    return how == RolloutPhase.PROMOTED ? End.PROMOTED : End.FINISHED;
  }

  @Override
  protected void undoOnCancel() {
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
  }

  // ---- the progress deadline ----

  @Override
  protected void waitingForHuman(boolean waiting) {
    hold(waiting);
  }

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

  @Override
  protected long deadlineLeftMillis() {
    long now = Workflow.currentTimeMillis();
    long held = heldMillis + (heldSinceMillis < 0 ? 0 : now - heldSinceMillis);
    return progressDeadlineMillis - (now - attemptStartedMillis - held);
  }

  private boolean deadlinePassed() {
    return deadlineLeftMillis() <= 0;
  }

  @Override
  protected String deadlineReason() {
    return "the progress deadline ("
        + Duration.ofMillis(progressDeadlineMillis)
        + " of progressing and analysing) passed at step "
        + step
        + " of "
        + request.steps().size();
  }

  // ---- records, descriptions ----

  private ReleaseRequest releaseRequest(int weight) {
    return new ReleaseRequest(actionId(), target.workflowId(), target, weight);
  }

  private static String describe(AnalysisRun run) {
    return MeasuredAnalysis.describe(run.metrics());
  }

  private static String describe(List<MetricProgress> metrics) {
    return MeasuredAnalysis.describe(metrics);
  }

  // ---- status, controls ----

  @Override
  protected String kind() {
    return TYPE;
  }

  @Override
  protected String kindInWords() {
    return "canary";
  }

  @Override
  protected String newVersion() {
    return target.image();
  }

  @Override
  protected int steps() {
    return request == null ? 0 : request.steps().size();
  }

  @Override
  protected String resumeHint() {
    return phase == RolloutPhase.PAUSED || phase == RolloutPhase.INCONCLUSIVE
        ? "; this pause ends with promote"
        : "";
  }

  @Override
  protected String nothingToPromote() {
    return phase == RolloutPhase.PROGRESSING
        ? "step " + step + "'s weight is being set; promote once it pauses"
        : "no step pauses in phase " + phase;
  }

  @Override
  protected String accepted(String command, Decision decision) {
    return switch (command) {
      case RolloutNames.PAUSE -> "held at " + canaryWeight + "%";
      case RolloutNames.PROMOTE -> "step " + step + "'s pause ends";
      case RolloutNames.PROMOTE_FULL -> "every remaining step skipped";
      case RolloutNames.ABORT -> "rolling back";
      default -> "starting again from step 1";
    };
  }
}
