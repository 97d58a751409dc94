package dev.opsflow.workflows.rollout.bluegreen;

import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.ServicePatch;
import dev.opsflow.activities.rollout.BlueGreenActivities;
import dev.opsflow.activities.rollout.ColourRequest;
import dev.opsflow.activities.rollout.ColourState;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BlueGreenDeployment;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
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
import java.util.Map;
import org.slf4j.Logger;

/**
 * The blue-green runbook on the procedure kernel, in five steps: (1) deploy the preview colour
 * {@code <deployment>-preview} at the active's replica count and point the preview Service at it;
 * (2) the pre-promotion analysis against the preview; (3) switch the active Service's selector to
 * the preview's pods (after an approval when the request, the server or the human policy asks); (4)
 * the rollback window: the post-promotion analysis while the old colour keeps its pods for the
 * scale-down delay; (5) make it durable: the original Deployment gets the new image, the active
 * Service selects it again, the preview is scaled to zero.
 *
 * <p>A failed or errored pre-promotion analysis, or an abort before the switch, scales the preview
 * down and leaves the active untouched. An abort or a failed post-promotion analysis inside the
 * window switches the active Service back at once (one selector write; the rollback time is
 * measured), then scales the preview down. An inconclusive analysis never passes: it waits for a
 * human to promote or abort. After a rollback the run waits for {@code retry} until the retry
 * window ends.
 *
 * <p>Controls: {@code pause} holds before the switch (the analysis goes on) or holds the window
 * open (the old colour keeps its pods); {@code resume} ends that hold; {@code promote} ends the
 * current analysis (or its inconclusive question, or the window) and goes on; {@code promoteFull}
 * skips every remaining analysis and the window (an approval still applies); {@code abort} rolls
 * back; {@code retry} starts again after a rollback.
 */
public class BlueGreenDeploymentImpl extends RolloutControls implements BlueGreenDeployment {
  private static final Logger log = Workflow.getLogger(BlueGreenDeploymentImpl.class);

  /** Deploy, pre-promotion analysis, switch, rollback window, make durable. */
  static final int STEPS = 5;

  // Changes that wait for pods heartbeat; each compares desired with actual state first.
  private final BlueGreenActivities colours =
      Workflow.newActivityStub(BlueGreenActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  // The switch is one selector write; same retry rules as the other rollout changes.
  private final KubernetesActivities services =
      Workflow.newActivityStub(KubernetesActivities.class, RolloutOptions.CHANGE_AND_WAIT);

  private BlueGreenRequest request;
  private String preview;
  private long scaleDownDelayMillis;
  private long retryWindowMillis;
  private boolean approveBeforeSwitch;
  private ColourState deployed;
  private boolean touched;

  private enum End {
    PROMOTED,
    ROLLED_BACK,
    FINISHED
  }

  @Override
  public RolloutStatus deploy(BlueGreenRequest request) {
    refuseBadInput(request);
    this.request = request;
    this.target = request.target();
    this.preview = BlueGreenRequest.previewOf(target.deployment());
    return toDecision(
        () -> {
          readPolicy();
          begin(request.run());
          log.info(
              "Blue-green of {}/{} to {} started (preview {} behind {})",
              target.namespace(),
              target.deployment(),
              target.image(),
              preview,
              request.previewService());
          while (attempt() == End.ROLLED_BACK) {
            if (!awaitRetry(retryWindowMillis, "starting again from the preview")) {
              finish(RolloutPhase.ROLLED_BACK, "rolled back: " + failure);
              break;
            }
          }
        });
  }

  // ---- admission ----

  private void refuseBadInput(BlueGreenRequest request) {
    if (request == null) {
      throw invalid("the request is required (target, previewService, analysis)");
    }
    refuseProblems(request.problems());
    // A stage of the run holding the Deployment's ID (an ML model deployment's full deployment)
    // runs as its child on a stage ID.
    refuseForeignId(request.target(), true);
    refuseBadAnalysis("analysis", request.analysisOrDefault(), subject(request, true));
    refuseBadAnalysis("postAnalysis", request.postAnalysisOrDefault(), subject(request, false));
  }

  /** The preview is the "canary", the active the "stable"; before the switch via its Service. */
  private static AnalysisSubject subject(BlueGreenRequest request, boolean beforeSwitch) {
    RolloutTarget t = request.target();
    return new AnalysisSubject(
        t.namespace(),
        beforeSwitch ? request.previewService() : t.service(),
        BlueGreenRequest.previewOf(t.deployment()),
        t.deployment());
  }

  /** The server's human policy and {@code rollout.*} bounds, tightened (never loosened). */
  private void readPolicy() {
    readHumanPolicy(request.run());
    RolloutSettings server = settingsRead.settings();
    scaleDownDelayMillis =
        tightened("scaleDownDelay", request.scaleDownDelay(), server.scaleDownDelaySeconds());
    retryWindowMillis =
        tightened("retryWindow", request.retryWindow(), server.retryWindowSeconds());
    boolean policyAsks = human.approvalFor(target.namespace()) != null;
    approveBeforeSwitch = server.requireApproval() || request.approveBeforeSwitch() || policyAsks;
    if (server.requireApproval() && !request.approveBeforeSwitch()) {
      notes.add("approval before the switch required by the server (rollout.requireApproval)");
    }
    if (approveBeforeSwitch && !policyAsks) {
      throw invalid(
          "approveBeforeSwitch: an approval before the switch is required, but nobody may approve"
              + " a "
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

  private End attempt() {
    step = 1;
    enter(RolloutPhase.PROGRESSING, "deploying the preview " + preview + " with " + target.image());
    try {
      deployed = colours.deployPreview(colourRequest());
    } catch (ActivityFailure e) {
      failure = "the preview could not be deployed: " + Failures.reason(e);
      event("deploy", false, "", failure);
      escalate(failure + "; the active Service was not switched");
      return End.FINISHED;
    }
    touched = true;
    event("deploy", true, "", deployed.detail());
    run.record("deploy", preview, true, deployed.detail());

    step = 2;
    Watched pre = analyse(request.analysisOrDefault(), true, 0);
    if (pre.rollback() != null) {
      return abortBeforeSwitch(pre.rollback(), pre.failed());
    }
    holdBeforeSwitch();
    if (abortedBy.isEmpty()
        && approveBeforeSwitch
        && !approved("switch Service " + target.service() + " to " + target.image())) {
      return abortBeforeSwitch(failure, List.of());
    }
    if (!abortedBy.isEmpty()) {
      return abortBeforeSwitch("aborted by " + abortedBy, List.of());
    }

    step = 3;
    enter(RolloutPhase.PROMOTING, "switching Service " + target.service() + " to " + preview);
    try {
      var switched = point(target.service(), deployed.previewSelector());
      canaryWeight = 100;
      event("switch", true, "", "Service " + target.service() + " selects " + switched);
      run.record("switch", target.service(), true, "selects " + preview);
    } catch (ActivityFailure e) {
      // One selector write that did not land: the active Service still selects the old colour.
      String reason = "the switch failed: " + Failures.reason(e);
      event("switch", false, "", reason);
      return abortBeforeSwitch(reason, List.of());
    }

    step = 4;
    Watched post = analyse(request.postAnalysisOrDefault(), false, scaleDownDelayMillis);
    if (post.rollback() != null) {
      return switchBack(post.rollback(), post.failed());
    }

    step = 5;
    return makeDurable();
  }

  /**
   * An analysis of the preview, before the switch ({@code beforeSwitch}) or during the rollback
   * window, which lasts at least {@code windowMillis}. Goes on once the analysis passed and the
   * window is over, or at once on promote; waits for a human while inconclusive or paused.
   */
  private Watched analyse(AnalysisTemplate template, boolean beforeSwitch, long windowMillis) {
    String which = beforeSwitch ? "pre-promotion" : "post-promotion";
    long now = Workflow.currentTimeMillis();
    // A rate read right after the preview came up, or right at the switch, has no samples of its
    // traffic yet, so it was inconclusive at once (the sandbox's ML releases stopped for a human
    // after the switch): each metric first measures one of its intervals later, as the canary's.
    boolean afterInterval =
        Workflow.getVersion("bluegreen-analysis-first-after-interval", Workflow.DEFAULT_VERSION, 1)
            >= 1;
    analysis =
        !promotedFullBy.isEmpty()
            ? null
            : afterInterval
                ? AnalysisRun.startAfterOneInterval(template, now)
                : AnalysisRun.start(template, now);
    promotedBy = "";
    try {
      return watch(
          new Watch(subject(request, beforeSwitch), now + windowMillis, which + " ") {
            @Override
            protected void promoted(String by, boolean full) {
              if (full) {
                event("promote-full", true, by, which + " analysis skipped");
              } else {
                event("promote", true, by, which + " analysis ended by " + by);
              }
            }

            @Override
            protected String failed(String verdict) {
              return which + " analysis " + verdict;
            }

            @Override
            protected String inconclusiveWaitsFor() {
              return "promote or abort: the " + which + " analysis was inconclusive";
            }

            @Override
            protected String inconclusive(String why) {
              return which + " analysis inconclusive: " + why;
            }

            @Override
            protected String inconclusiveMessage(String why) {
              return "opsflow: the blue-green of "
                  + describeTarget()
                  + " waits: its "
                  + which
                  + " analysis was inconclusive ("
                  + why
                  + "). Answer promote or abort on workflow "
                  + target.workflowId();
            }

            @Override
            protected String pausedWaitsFor() {
              return "resume (paused by "
                  + pausedBy
                  + (beforeSwitch ? " before the switch)" : "; the old colour keeps its pods)");
            }

            @Override
            protected String paused() {
              return "paused by " + pausedBy + " in the " + which + " analysis";
            }

            @Override
            protected String analysing() {
              return which
                  + " analysis of "
                  + preview
                  + (beforeSwitch ? "" : " (rollback window open)")
                  + ": "
                  + describe();
            }
          });
    } finally {
      promotedBy = "";
    }
  }

  /** Waits while an operator holds the release after its pre-promotion analysis. */
  private void holdBeforeSwitch() {
    while (!pausedBy.isEmpty()
        && abortedBy.isEmpty()
        && promotedFullBy.isEmpty()
        && promotedBy.isEmpty()) {
      waitingFor = "resume (paused by " + pausedBy + " before the switch)";
      enter(RolloutPhase.PAUSED, "paused by " + pausedBy + " before the switch");
      int seen = controls;
      Workflow.await(() -> controls != seen);
    }
    promotedBy = "";
    waitingFor = "";
  }

  /** The window passed: the original takes the new version, then the traffic, then 0 previews. */
  private End makeDurable() {
    enter(RolloutPhase.PROMOTING, "promoting " + target.image() + " to " + target.deployment());
    waitingFor = "";
    try {
      ColourState promoted = colours.promoteActive(colourRequest());
      event("promote-active", true, "", promoted.detail());
      var back = point(target.service(), deployed.activeSelector());
      event(
          "switch",
          true,
          "",
          "Service " + target.service() + " selects " + back + " (now " + target.image() + ")");
      ColourState down = colours.scalePreviewDown(colourRequest());
      event("scale-down", true, "", down.detail());
    } catch (ActivityFailure e) {
      String reason = "making the release durable failed: " + Failures.reason(e);
      failure = reason;
      event("promote-active", false, "", reason);
      escalate(
          reason
              + "; Service "
              + target.service()
              + " may still select the preview "
              + preview
              + ": check "
              + target.deployment()
              + " and finish by hand");
      return End.FINISHED;
    }
    run.ladder()
        .slack(
            "opsflow: the blue-green of "
                + describeTarget()
                + " was promoted: "
                + target.deployment()
                + " runs "
                + target.image()
                + "\n"
                + timelineText(),
            null);
    finish(RolloutPhase.PROMOTED, target.deployment() + " runs " + target.image());
    return End.PROMOTED;
  }

  /** Before the switch: the preview goes, the active was never touched. */
  private End abortBeforeSwitch(String reason, List<MetricProgress> failed) {
    failure = reason;
    waitingFor = "";
    enter(RolloutPhase.ROLLING_BACK, reason);
    event("rollback", true, abortedBy.isEmpty() ? RunEnvelope.AUTOMATON : abortedBy, reason);
    scalePreviewDown();
    tellRolledBack(reason + "; Service " + target.service() + " was never switched", failed);
    return End.ROLLED_BACK;
  }

  /**
   * Inside the window: the active Service selects the old colour's pods again (they were kept for
   * this); the time from the decision to that write is the rollback time. Then the preview goes.
   */
  private End switchBack(String reason, List<MetricProgress> failed) {
    failure = reason;
    long startedAt = Workflow.currentTimeMillis();
    waitingFor = "";
    enter(RolloutPhase.ROLLING_BACK, reason);
    event("rollback", true, abortedBy.isEmpty() ? RunEnvelope.AUTOMATON : abortedBy, reason);
    try {
      var back = point(target.service(), deployed.activeSelector());
      canaryWeight = 0;
      event("switch", true, "", "switched back: Service " + target.service() + " selects " + back);
    } catch (ActivityFailure e) {
      String why = "the switch back failed: " + Failures.reason(e) + " (after: " + reason + ")";
      failure = why;
      event("rollback", false, "", why);
      escalate(why + "; Service " + target.service() + " may still select " + preview);
      return End.FINISHED;
    }
    rollbackMillis = Workflow.currentTimeMillis() - startedAt;
    RolloutMetrics.rolledBack(TYPE, rollbackMillis);
    run.record("rollback", target.service(), true, reason + " (" + rollbackMillis + " ms)");
    scalePreviewDown();
    tellRolledBack(
        reason + "; switched back in " + rollbackMillis + " ms (" + target.service() + ")", failed);
    return End.ROLLED_BACK;
  }

  private void scalePreviewDown() {
    if (!touched) {
      return;
    }
    try {
      ColourState down = colours.scalePreviewDown(colourRequest());
      event("scale-down", true, "", down.detail());
    } catch (ActivityFailure e) {
      // It takes no traffic from the active Service: its idle pods are a cost, not a danger.
      event("scale-down", false, "", "the preview could not be scaled down: " + Failures.reason(e));
      run.tellHumans(
          "opsflow: the rolled-back preview "
              + preview
              + " could not be scaled down: "
              + Failures.reason(e)
              + " (the active Service does not select it)",
          () -> false);
    }
  }

  private void tellRolledBack(String what, List<MetricProgress> failed) {
    run.ladder()
        .slack(
            "opsflow: the blue-green of "
                + describeTarget()
                + " was rolled back: "
                + what
                + (failed.isEmpty()
                    ? ""
                    : ". Failed measurements: " + MeasuredAnalysis.describe(failed))
                + ". Retry within "
                + Duration.ofMillis(retryWindowMillis)
                + " on workflow "
                + target.workflowId(),
            null);
    enter(RolloutPhase.ABORTED, "rolled back: " + failure);
    waitingFor = "retry (until the retry window ends)";
  }

  // ---- the ways a run ends ----

  @Override
  protected void undoOnCancel() {
    if (touched && step < 5) {
      Workflow.newDetachedCancellationScope(
              () -> {
                try {
                  if (canaryWeight > 0) {
                    point(target.service(), deployed.activeSelector());
                    canaryWeight = 0;
                  }
                  colours.scalePreviewDown(colourRequest());
                  event("rollback", true, "", "cancelled: the old colour holds all traffic");
                } catch (ActivityFailure e) {
                  event("rollback", false, "", "cancelled; rollback failed: " + Failures.reason(e));
                }
              })
          .run();
    }
  }

  // ---- records, descriptions ----

  private Map<String, String> point(String service, Map<String, String> selector) {
    return services
        .patchServiceSelector(new ServicePatch(actionId(), target.namespace(), service, selector))
        .selector();
  }

  private ColourRequest colourRequest() {
    return new ColourRequest(actionId(), target.workflowId(), target, request.previewService());
  }

  private String describe() {
    return analysis == null ? "skipped" : MeasuredAnalysis.describe(analysis.metrics());
  }

  // ---- status, controls ----

  @Override
  protected String kind() {
    return TYPE;
  }

  @Override
  protected String kindInWords() {
    return "blue-green";
  }

  @Override
  protected String newVersion() {
    return target.image();
  }

  @Override
  protected int steps() {
    return STEPS;
  }

  @Override
  protected String resumeHint() {
    return phase == RolloutPhase.INCONCLUSIVE ? "; this wait ends with promote" : "";
  }

  @Override
  protected String nothingToPromote() {
    return phase == RolloutPhase.PROGRESSING
        ? "the preview is being deployed; promote once it is analysed"
        : "nothing to promote in phase " + phase;
  }

  @Override
  protected String promotionUnderWay() {
    return step == 5
        ? "the rollback window has closed: " + target.deployment() + " is getting " + target.image()
        : "the switch is under way; abort once it landed (the window is open then)";
  }

  @Override
  protected String accepted(String command, Decision decision) {
    return switch (command) {
      case RolloutNames.PAUSE ->
          step >= 4 ? "the rollback window held open" : "held before the switch";
      case RolloutNames.PROMOTE ->
          step >= 4 ? "the rollback window ends" : "the pre-promotion analysis ends";
      case RolloutNames.PROMOTE_FULL -> "every remaining analysis and the rollback window skipped";
      case RolloutNames.ABORT -> canaryWeight > 0 ? "switching back" : "scaling the preview down";
      default -> "starting again from the preview";
    };
  }
}
