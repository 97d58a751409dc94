package dev.opsflow.workflows.rollout.bluegreen;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.ServicePatch;
import dev.opsflow.activities.metrics.MetricsActivities;
import dev.opsflow.activities.metrics.MetricsOptions;
import dev.opsflow.activities.rollout.BlueGreenActivities;
import dev.opsflow.activities.rollout.ColourRequest;
import dev.opsflow.activities.rollout.ColourState;
import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.activities.rollout.RolloutSettings;
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
import dev.opsflow.contracts.rollout.BlueGreenDeployment;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
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
import dev.opsflow.workflows.rollout.MeasuredAnalysis;
import dev.opsflow.workflows.rollout.RolloutMetrics;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
public class BlueGreenDeploymentImpl implements BlueGreenDeployment {
  private static final Logger log = Workflow.getLogger(BlueGreenDeploymentImpl.class);

  /** Deploy, pre-promotion analysis, switch, rollback window, make durable. */
  static final int STEPS = 5;

  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  private final ReleaseActivities settingsRead =
      Workflow.newLocalActivityStub(ReleaseActivities.class, RolloutOptions.LOCAL_SETTINGS);
  // CEL lives in the activities: the conditions are compiled there, before anything changes.
  private final MetricsActivities validation =
      Workflow.newLocalActivityStub(MetricsActivities.class, RolloutOptions.LOCAL_VALIDATE);
  private final MetricsActivities metrics =
      Workflow.newActivityStub(MetricsActivities.class, MetricsOptions.MEASURE);
  // Changes that wait for pods heartbeat; each compares desired with actual state first.
  private final BlueGreenActivities colours =
      Workflow.newActivityStub(BlueGreenActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  // The switch is one selector write; same retry rules as the other rollout changes.
  private final KubernetesActivities services =
      Workflow.newActivityStub(KubernetesActivities.class, RolloutOptions.CHANGE_AND_WAIT);

  private final ProcedureRun run =
      new ProcedureRun(RolloutPhase.RECEIVED.name(), (step, target, ok) -> {});
  private final List<RolloutEvent> timeline = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private BlueGreenRequest request;
  private RolloutTarget target;
  private String preview;
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private long scaleDownDelayMillis;
  private long retryWindowMillis;
  private boolean approveBeforeSwitch;

  private RolloutPhase phase = RolloutPhase.RECEIVED;
  private int step;
  private int newVersionWeight; // 100 once the active Service selects the new version
  private ColourState deployed;
  private AnalysisRun analysis;
  private String failure = "";
  private Long rollbackMillis;
  private String waitingFor = "";
  private boolean touched;
  private int analysesEnded;

  // Controls, set by the handlers and taken by the runbook; each accepted one bumps the counter
  // the waits watch, so a control interrupts a wait at once.
  private int controls;
  private String pausedBy = "";
  private String promotedBy = "";
  private String promotedFullBy = "";
  private String abortedBy = "";
  private String retriedBy = "";

  private enum End {
    PROMOTED,
    ROLLED_BACK,
    FINISHED
  }

  /** How an analysis ended: go on (rollback null), or roll back with why and what failed. */
  private record Outcome(String rollback, List<MetricProgress> failed) {
    static final Outcome NEXT = new Outcome(null, List.of());
  }

  @Override
  public RolloutStatus deploy(BlueGreenRequest request) {
    refuseBadInput(request);
    this.request = request;
    this.target = request.target();
    this.preview = BlueGreenRequest.previewOf(target.deployment());
    try {
      readPolicy();
      run.begin(
          new ProcedureRun.Identity(
              TYPE, target.namespace() + "/" + target.deployment(), request.run()),
          human);
      log.info(
          "Blue-green of {}/{} to {} started (preview {} behind {})",
          target.namespace(),
          target.deployment(),
          target.image(),
          preview,
          request.previewService());
      while (attempt() == End.ROLLED_BACK) {
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
      failure = run.failed(e);
      event("failed", false, "", failure);
      finish(RolloutPhase.FAILED, failure);
    }
    return status();
  }

  // ---- admission ----

  private void refuseBadInput(BlueGreenRequest request) {
    if (request == null) {
      throw invalid("the request is required (target, previewService, analysis)");
    }
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw invalid(String.join("; ", problems));
    }
    String id = Workflow.getInfo().getWorkflowId();
    // One rollout per Deployment, whatever its kind; offline replayers substitute a placeholder.
    // A stage of the run holding the Deployment's ID (an ML model deployment's full deployment)
    // runs as its child on a stage ID. Reads the run's own info only: no command, replays as
    // before.
    String owner = request.target().workflowId();
    boolean stage =
        id.startsWith(owner + ":")
            && Workflow.getInfo().getParentWorkflowId().map(owner::equals).orElse(false);
    if (!Workflow.isReplaying() && !id.equals(owner) && !stage) {
      throw invalid(
          "workflow ID must be "
              + request.target().workflowId()
              + " (got "
              + id
              + "), so two rollouts of one Deployment can never run at once");
    }
    try {
      validation.validateAnalysis(request.analysisOrDefault(), subject(request, true));
    } catch (ActivityFailure e) {
      throw invalid("analysis: " + Failures.reason(e));
    }
    try {
      validation.validateAnalysis(request.postAnalysisOrDefault(), subject(request, false));
    } catch (ActivityFailure e) {
      throw invalid("postAnalysis: " + Failures.reason(e));
    }
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
    notes.forEach(n -> log.warn("Blue-green of {}: {}", target.workflowId(), n));
  }

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
    Outcome pre = analyse(request.analysisOrDefault(), true, 0);
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
      newVersionWeight = 100;
      event("switch", true, "", "Service " + target.service() + " selects " + switched);
      run.record("switch", target.service(), true, "selects " + preview);
    } catch (ActivityFailure e) {
      // One selector write that did not land: the active Service still selects the old colour.
      String reason = "the switch failed: " + Failures.reason(e);
      event("switch", false, "", reason);
      return abortBeforeSwitch(reason, List.of());
    }

    step = 4;
    Outcome post = analyse(request.postAnalysisOrDefault(), false, scaleDownDelayMillis);
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
  private Outcome analyse(AnalysisTemplate template, boolean beforeSwitch, long windowMillis) {
    try {
      return measure(template, beforeSwitch, windowMillis);
    } finally {
      analysesEnded++; // settles a question this analysis asked, whichever way it ended
      promotedBy = "";
    }
  }

  private Outcome measure(AnalysisTemplate template, boolean beforeSwitch, long windowMillis) {
    String which = beforeSwitch ? "pre-promotion" : "post-promotion";
    long now = Workflow.currentTimeMillis();
    analysis = promotedFullBy.isEmpty() ? AnalysisRun.start(template, now) : null;
    long windowEnds = now + windowMillis;
    AnalysisSubject subject = subject(request, beforeSwitch);
    promotedBy = "";
    boolean told = false;
    while (true) {
      if (!abortedBy.isEmpty()) {
        return new Outcome("aborted by " + abortedBy, List.of());
      }
      if (!promotedFullBy.isEmpty()) {
        event("promote-full", true, promotedFullBy, which + " analysis skipped");
        return Outcome.NEXT;
      }
      if (!promotedBy.isEmpty()) {
        event("promote", true, promotedBy, which + " analysis ended by " + promotedBy);
        pausedBy = "";
        return Outcome.NEXT;
      }
      analysis = MeasuredAnalysis.takeDue(analysis, subject, metrics);
      AnalysisVerdict verdict = analysis == null ? AnalysisVerdict.SUCCESSFUL : analysis.verdict();
      if (verdict == AnalysisVerdict.FAILED || verdict == AnalysisVerdict.ERROR) {
        List<MetricProgress> deciders = analysis.deciders();
        event(
            "analysis",
            false,
            RunEnvelope.AUTOMATON,
            which + " " + verdict + ": " + MeasuredAnalysis.describe(deciders));
        return new Outcome(which + " analysis " + verdict.name().toLowerCase(), deciders);
      }
      now = Workflow.currentTimeMillis();
      boolean inconclusive = verdict == AnalysisVerdict.INCONCLUSIVE;
      boolean held = inconclusive || !pausedBy.isEmpty();
      if (!held && now >= windowEnds && verdict == AnalysisVerdict.SUCCESSFUL) {
        if (analysis != null) {
          event("analysis", true, RunEnvelope.AUTOMATON, which + " successful: " + describe());
        }
        return Outcome.NEXT;
      }
      if (inconclusive) {
        if (!told) {
          told = true;
          String why = MeasuredAnalysis.describe(analysis.deciders());
          waitingFor = "promote or abort: the " + which + " analysis was inconclusive";
          enter(RolloutPhase.INCONCLUSIVE, which + " analysis inconclusive: " + why);
          event("analysis", false, RunEnvelope.AUTOMATON, "inconclusive (never a pass): " + why);
          String text =
              "opsflow: the blue-green of "
                  + describeTarget()
                  + " waits: its "
                  + which
                  + " analysis was inconclusive ("
                  + why
                  + "). Answer promote or abort on workflow "
                  + target.workflowId();
          int question = analysesEnded;
          Async.procedure(() -> run.tellHumans(text, () -> analysesEnded != question));
        }
      } else if (!pausedBy.isEmpty()) {
        waitingFor =
            "resume (paused by "
                + pausedBy
                + (beforeSwitch ? " before the switch)" : "; the old colour keeps its pods)");
        enter(RolloutPhase.PAUSED, "paused by " + pausedBy + " in the " + which + " analysis");
      } else {
        waitingFor = "";
        enter(
            RolloutPhase.ANALYSING,
            which
                + " analysis of "
                + preview
                + (beforeSwitch ? "" : " (rollback window open)")
                + ": "
                + describe());
      }
      long wake = analysis == null ? Long.MAX_VALUE : analysis.nextMeasurementAtMillis();
      if (!held && windowEnds > now) {
        wake = Math.min(wake, windowEnds); // a window already over only waits for the analysis
      }
      int seen = controls;
      if (wake == Long.MAX_VALUE) {
        Workflow.await(() -> controls != seen);
      } else if (wake > now) {
        Workflow.await(Duration.ofMillis(wake - now), () -> controls != seen);
      }
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
      newVersionWeight = 0;
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
    event("retry", true, retriedBy, "starting again from the preview");
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

  /** The kernel's approval gate before the switch; true when approved, false on reject/abort. */
  private boolean approved(String plan) {
    ApprovalPolicy policy = human.approvalFor(target.namespace());
    waitingFor = "approval: " + plan;
    phase = RolloutPhase.AWAITING_APPROVAL; // the gate enters the kernel's phase itself
    ApprovalResult result =
        run.approval(
            RolloutPhase.AWAITING_APPROVAL.name(), plan, policy, () -> !abortedBy.isEmpty());
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

  private void escalate(String why) {
    stopIfCancelled();
    RunMetrics.escalated(TYPE, phase.name());
    run.tellHumans(
        "opsflow: the blue-green of " + describeTarget() + " needs a human: " + why, () -> false);
    finish(RolloutPhase.FAILED, why);
  }

  private void finish(RolloutPhase how, String why) {
    waitingFor = "";
    enter(how, why);
    RolloutMetrics.ended(TYPE, how, Workflow.currentTimeMillis() - run.startedAtMillis());
    log.info("Blue-green of {} ended {}: {}", target.workflowId(), how, why);
  }

  /**
   * Cancelled (Web UI, tctl): the active Service goes back to the old colour and the preview is
   * scaled down in a detached scope, so a cancelled release never keeps traffic nobody watches.
   */
  private void cancelled() {
    if (touched && step < 5) {
      Workflow.newDetachedCancellationScope(
              () -> {
                try {
                  if (newVersionWeight > 0) {
                    point(target.service(), deployed.activeSelector());
                    newVersionWeight = 0;
                  }
                  colours.scalePreviewDown(colourRequest());
                  event("rollback", true, "", "cancelled: the old colour holds all traffic");
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

  // ---- records, descriptions ----

  private Map<String, String> point(String service, Map<String, String> selector) {
    return services
        .patchServiceSelector(new ServicePatch(actionId(), target.namespace(), service, selector))
        .selector();
  }

  private ColourRequest colourRequest() {
    return new ColourRequest(actionId(), target.workflowId(), target, request.previewService());
  }

  private void enter(RolloutPhase next, String why) {
    phase = next;
    run.enter(next.name(), why);
  }

  private void event(String name, boolean success, String by, String detail) {
    timeline.add(
        new RolloutEvent(
            name, Workflow.currentTimeMillis(), newVersionWeight, by, success, detail));
  }

  private static String actionId() {
    return Workflow.randomUUID().toString();
  }

  private String describeTarget() {
    return target.namespace() + "/" + target.deployment() + " to " + target.image();
  }

  private String describe() {
    return analysis == null ? "skipped" : MeasuredAnalysis.describe(analysis.metrics());
  }

  private String timelineText() {
    StringBuilder text = new StringBuilder();
    for (RolloutEvent e : timeline) {
      text.append(java.time.Instant.ofEpochMilli(e.atMillis()))
          .append(' ')
          .append(e.step())
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
        STEPS,
        newVersionWeight,
        100 - newVersionWeight,
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
                      + (phase == RolloutPhase.INCONCLUSIVE
                          ? "; this wait ends with promote"
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
              case PROGRESSING -> "the preview is being deployed; promote once it is analysed";
              case AWAITING_APPROVAL -> "waits for approval: approve or reject";
              default -> "nothing to promote in phase " + phase;
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
                step == 5
                    ? "the rollback window has closed: "
                        + target.deployment()
                        + " is getting "
                        + target.image()
                    : "the switch is under way; abort once it landed (the window is open then)")
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
          return step >= 4 ? "the rollback window held open" : "held before the switch";
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
          return step >= 4 ? "the rollback window ends" : "the pre-promotion analysis ends";
        });
  }

  private RolloutStatus doPromoteFull(Decision d) {
    return control(
        RolloutNames.PROMOTE_FULL,
        d,
        () -> {
          promotedFullBy = d.by();
          pausedBy = "";
          return "every remaining analysis and the rollback window skipped";
        });
  }

  private RolloutStatus doAbort(Decision d) {
    return control(
        RolloutNames.ABORT,
        d,
        () -> {
          abortedBy = d.by();
          return newVersionWeight > 0 ? "switching back" : "scaling the preview down";
        });
  }

  private RolloutStatus doRetry(Decision d) {
    return control(
        RolloutNames.RETRY,
        d,
        () -> {
          retriedBy = d.by();
          return "starting again from the preview";
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
