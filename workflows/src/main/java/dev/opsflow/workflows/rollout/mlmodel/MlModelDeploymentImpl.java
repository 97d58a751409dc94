package dev.opsflow.workflows.rollout.mlmodel;

import dev.opsflow.activities.model.ModelEvaluation;
import dev.opsflow.activities.model.ModelServerActivities;
import dev.opsflow.activities.model.ModelServerOptions;
import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.ReleaseRequest;
import dev.opsflow.activities.rollout.ReleaseState;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.TrafficRouterActivities;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BlueGreenDeployment;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.MlDeploymentRequest;
import dev.opsflow.contracts.rollout.MlModelDeployment;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.rollout.MeasuredAnalysis;
import dev.opsflow.workflows.rollout.RolloutControls;
import dev.opsflow.workflows.rollout.RolloutMetrics;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * The ML model release runbook on the procedure kernel, the automation module's four steps:
 *
 * <ol>
 *   <li>{@code validate_model}: the model server evaluates the candidate on its validation set;
 *       below {@code acceptanceThreshold} the run ends {@code REJECTED}, nothing deployed. An
 *       evaluation that cannot be read is never a pass: humans hear why, the run ends {@code
 *       FAILED}, nothing deployed.
 *   <li>{@code deploy_canary}: the candidate as {@code <deployment>-canary} takes {@code
 *       trafficPercentage} of the traffic (replica ratio) for {@code monitoringDuration}, a durable
 *       wait while its accuracy, latency and error rate are measured against production's.
 *   <li>{@code evaluate_canary}: a failed or errored measurement rolls back at once (performance
 *       degradation); an inconclusive one waits for a human to promote or abort, never passes.
 *   <li>{@code full_deployment}: the canary is retired and a {@link BlueGreenDeployment} of the
 *       candidate runs as a child on {@code rollout-<ns>.<deployment>:blue-green} (preview colour,
 *       analyses, switch, rollback window); its outcome is this run's.
 * </ol>
 *
 * <p>Rollback ({@code deployment_failure}: the canary's weight or the blue-green could not be
 * applied; {@code performance_degradation}: a failed analysis; or an abort) is measured from its
 * decision to production holding all traffic at full capacity. Once it takes longer than {@code
 * maxRollbackTime} humans are told at once (the kernel's escalation ladder, with the time so far),
 * while the rollback goes on.
 *
 * <p>Controls are the canary's names: {@code pause}/{@code resume} hold the canary at its weight;
 * {@code promote} ends the monitoring (the operator's evaluation), {@code promoteFull} also skips
 * the blue-green's analyses; {@code abort} rolls back. During the full deployment every control is
 * passed on to the blue-green child, which decides. An ML model deployment never retries: a new run
 * starts over from validation.
 */
public class MlModelDeploymentImpl extends RolloutControls implements MlModelDeployment {
  private static final Logger log = Workflow.getLogger(MlModelDeploymentImpl.class);

  /** validate_model, deploy_canary, evaluate_canary, full_deployment. */
  static final int STEPS = 4;

  /** The full deployment's stage in its child's workflow ID. */
  static final String FULL_DEPLOYMENT_STAGE = "blue-green";

  private static final TrafficRouterSpec REPLICA_RATIO = new TrafficRouterSpec.ReplicaRatio();

  // An unreadable evaluation is not retried: the run stops with nothing deployed.
  private final ModelServerActivities models =
      Workflow.newActivityStub(ModelServerActivities.class, ModelServerOptions.EVALUATE);
  // Every change that waits for pods heartbeats; each compares desired with actual state first.
  private final ReleaseActivities release =
      Workflow.newActivityStub(ReleaseActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  private final TrafficRouterActivities router =
      Workflow.newActivityStub(TrafficRouterActivities.class, RolloutOptions.CHANGE_AND_WAIT);
  // A rollback outlasts an API outage (retried for half an hour) and is measured meanwhile.
  private final ReleaseActivities rollbackRelease =
      Workflow.newActivityStub(ReleaseActivities.class, RolloutOptions.ROLLBACK);
  private final TrafficRouterActivities rollbackRouter =
      Workflow.newActivityStub(TrafficRouterActivities.class, RolloutOptions.ROLLBACK);

  private MlDeploymentRequest request;
  private AnalysisTemplate template;
  private long scaleDownDelayMillis;

  private Stage stage = Stage.VALIDATE;
  private List<MetricProgress> fullDeploymentAnalysis = List.of();
  private boolean touched;
  private String childId = "";
  private boolean childStarted;

  /** Where the pipeline is, for the controls. */
  private enum Stage {
    VALIDATE,
    CANARY,
    FULL,
    DONE
  }

  @Override
  public RolloutStatus deploy(MlDeploymentRequest request) {
    refuseBadInput(request);
    this.request = request;
    this.target = request.target();
    this.template = request.analysisOrDefault();
    this.childId = target.stageWorkflowId(FULL_DEPLOYMENT_STAGE);
    return toDecision(
        () -> {
          readPolicy();
          begin(request.run());
          log.info(
              "ML model deployment of {} ({}) to {}/{} started",
              request.modelVersion(),
              target.image(),
              target.namespace(),
              target.deployment());
          if (validateModel()) {
            Watched canary = canary();
            if (canary == null) {
              return; // the canary could not be deployed: escalated, nothing moved
            } else if (canary.rollback() != null) {
              rollback(canary.rollback(), canary.failed());
            } else if (evaluateCanary(canary)) {
              fullDeployment();
            }
          }
        });
  }

  // ---- admission ----

  /** Refused before anything is read, naming the field. */
  private void refuseBadInput(MlDeploymentRequest request) {
    if (request == null) {
      throw invalid("the request is required (target, modelVersion)");
    }
    refuseProblems(request.problems());
    refuseForeignId(request.target(), false);
    refuseBadAnalysis("analysis", request.analysisOrDefault(), canarySubject(request.target()));
  }

  private static AnalysisSubject canarySubject(RolloutTarget t) {
    return new AnalysisSubject(t.namespace(), t.service(), t.canaryDeployment(), t.deployment());
  }

  /** The server's human policy and the canary's scale-down delay (tightened, never loosened). */
  private void readPolicy() {
    readHumanPolicy(request.run());
    RolloutSettings server = settingsRead.settings();
    scaleDownDelayMillis = server.scaleDownDelaySeconds() * 1000;
    logNotes();
  }

  // ---- 1. validate_model ----

  /** True when the candidate reached the acceptance threshold; else the run has ended. */
  private boolean validateModel() {
    step = 1;
    String version = request.modelVersion();
    enter(RolloutPhase.ANALYSING, "validate_model: evaluating " + version);
    ModelEvaluation evaluation;
    try {
      evaluation = models.evaluate(version);
    } catch (ActivityFailure e) {
      failure =
          "validate_model: the evaluation of "
              + version
              + " could not be read ("
              + Failures.reason(e)
              + "), never a pass; nothing was deployed";
      event("validate", false, RunEnvelope.AUTOMATON, failure);
      escalate(failure);
      return false;
    }
    double threshold = request.acceptanceThreshold();
    boolean accepted = evaluation.accuracy() >= threshold;
    String figure =
        String.format(
            Locale.ROOT,
            "%s: validation accuracy %.4f (%d of %d right) %s the acceptance threshold %s",
            version,
            evaluation.accuracy(),
            evaluation.correct(),
            evaluation.examples(),
            accepted ? "reaches" : "is below",
            String.valueOf(threshold));
    event("validate", accepted, RunEnvelope.AUTOMATON, figure);
    run.record("validate", version, accepted, figure);
    if (!abortedBy.isEmpty()) {
      finish(RolloutPhase.ROLLED_BACK, "aborted by " + abortedBy + " before anything was deployed");
      failure = "aborted by " + abortedBy;
      return false;
    }
    if (!accepted) {
      failure = figure + ": nothing was deployed";
      run.ladder()
          .slack(
              "opsflow: the ML model deployment of "
                  + describeTarget()
                  + " stopped at validate_model: "
                  + failure,
              null);
      finish(RolloutPhase.REJECTED, failure);
      return false;
    }
    return true;
  }

  // ---- 2. deploy_canary ----

  /**
   * Deploys the canary at its weight and watches it for the monitoring duration; null when the
   * canary could not be deployed (escalated, the run has ended).
   */
  private Watched canary() {
    step = 2;
    stage = Stage.CANARY;
    int weight = request.trafficPercentage();
    enter(RolloutPhase.PROGRESSING, "deploy_canary: " + target.canaryDeployment());
    try {
      ReleaseState deployed = release.deployCanary(releaseRequest(0));
      touched = true;
      event("deploy", true, "", deployed.detail() + " (capacity " + deployed.capacity() + ")");
    } catch (ActivityFailure e) {
      failure = "deployment_failure: the canary could not be deployed: " + Failures.reason(e);
      event("deploy", false, "", failure + "; no traffic was moved");
      escalate(failure + "; no traffic was moved");
      return null;
    }
    if (!abortedBy.isEmpty()) {
      return Watched.rollBack("aborted by " + abortedBy, List.of());
    }
    enter(RolloutPhase.PROGRESSING, "deploy_canary: " + weight + "% to " + target.image());
    try {
      ReleaseState scaled = release.scaleCanary(releaseRequest(weight));
      event("scale-canary", true, "", scaled.detail());
      RouterState routed =
          router.setWeight(new WeightRequest(actionId(), target, REPLICA_RATIO, weight));
      canaryWeight = routed.canaryWeight();
      event("weight", true, "", "asked " + weight + "%, " + routed.detail());
      run.record("weight", target.deployment(), true, weight + "%: " + routed.detail());
    } catch (ActivityFailure e) {
      String reason =
          "deployment_failure: the canary's " + weight + "% failed: " + Failures.reason(e);
      event("weight", false, "", reason);
      return Watched.rollBack(reason, List.of());
    }
    return monitor();
  }

  /**
   * The canary's monitoring: a durable wait of {@code monitoringDuration} while the analysis
   * measures. Ends when the time is over and the analysis passed (an analysis longer than the wait
   * is waited for), at once on a failed one, on promote or on abort; an inconclusive analysis or an
   * operator's pause holds it for a human.
   */
  private Watched monitor() {
    long now = Workflow.currentTimeMillis();
    // A rate read right after the weight moved has no samples of the canary yet.
    analysis = AnalysisRun.startAfterOneInterval(template, now);
    long ends = now + request.monitoringDuration().toMillis();
    return watch(
        new Watch(canarySubject(target), ends, "") {
          @Override
          protected void promoted(String by, boolean full) {
            // promote and promoteFull alike: the operator's evaluation of the canary
            event("promote", true, by, "the canary's monitoring ended by " + by);
            pausedBy = "";
          }

          @Override
          protected String failed(String verdict) {
            return "performance_degradation: the canary's analysis " + verdict;
          }

          @Override
          protected boolean recordsPass() {
            return false; // evaluate_canary records it
          }

          @Override
          protected String inconclusiveWaitsFor() {
            return "promote or abort: the canary's analysis was inconclusive";
          }

          @Override
          protected String inconclusive(String why) {
            return "the canary's analysis is inconclusive: " + why;
          }

          @Override
          protected String inconclusiveMessage(String why) {
            return "opsflow: the ML model deployment of "
                + describeTarget()
                + " holds the canary at "
                + canaryWeight
                + "%: its analysis was inconclusive ("
                + why
                + "). Answer promote or abort on workflow "
                + target.workflowId();
          }

          @Override
          protected String pausedWaitsFor() {
            return "resume (paused by " + pausedBy + ")";
          }

          @Override
          protected String analysing() {
            return "deploy_canary at "
                + canaryWeight
                + "%: "
                + MeasuredAnalysis.describe(analysis.metrics());
          }
        });
  }

  // ---- 3. evaluate_canary ----

  /** Records the canary's evaluation and retires it; false when that failed (run ended). */
  private boolean evaluateCanary(Watched passed) {
    step = 3;
    String by = passed.passedBy();
    String measured = MeasuredAnalysis.describe(analysis == null ? List.of() : analysis.metrics());
    event(
        "evaluate",
        true,
        by,
        (by.equals(RunEnvelope.AUTOMATON) ? "passed: " : "passed on promote by " + by + ": ")
            + measured);
    run.record("evaluate", target.canaryDeployment(), true, measured);
    // The blue-green takes over from production's full capacity: the canary goes first.
    enter(RolloutPhase.PROGRESSING, "evaluate_canary passed: retiring the canary");
    try {
      ReleaseState restored = release.restoreStable(releaseRequest(0));
      event("restore-stable", true, "", restored.detail());
      RouterState routed =
          router.setWeight(new WeightRequest(actionId(), target, REPLICA_RATIO, 0));
      canaryWeight = routed.canaryWeight();
      event("weight", true, "", "canary retired at 0%: " + routed.detail());
      ReleaseState down = release.scaleCanaryDown(releaseRequest(0));
      event("scale-down", true, "", down.detail());
    } catch (ActivityFailure e) {
      rollback("deployment_failure: retiring the canary failed: " + Failures.reason(e), List.of());
      return false;
    }
    return true;
  }

  // ---- 4. full_deployment ----

  /** The blue-green of the candidate as a child; its outcome is this run's. */
  private void fullDeployment() {
    step = 4;
    if (!abortedBy.isEmpty()) {
      finish(
          RolloutPhase.ROLLED_BACK,
          "aborted by " + abortedBy + " before the full deployment; production was not changed");
      failure = "aborted by " + abortedBy;
      return;
    }
    stage = Stage.FULL;
    enter(RolloutPhase.PROMOTING, "full_deployment: blue-green on workflow " + childId);
    BlueGreenDeployment child =
        Workflow.newChildWorkflowStub(
            BlueGreenDeployment.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(childId)
                // A cancelled ML deployment cancels its blue-green, which switches back.
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .build());
    Promise<RolloutStatus> result = Async.function(child::deploy, request.fullDeployment());
    Workflow.getWorkflowExecution(child).get();
    childStarted = true;
    event(
        "full-deployment",
        true,
        "",
        "blue-green started as workflow " + childId + " (opsflow rollout status " + childId + ")");
    if (!promotedFullBy.isEmpty()) {
      blueGreen().promoteFull(new Decision(promotedFullBy, "promoteFull of " + TYPE));
    }
    RolloutStatus done;
    try {
      done = result.get();
    } catch (ChildWorkflowFailure e) {
      childStarted = false;
      stage = Stage.DONE;
      failure = "deployment_failure: the blue-green failed: " + Failures.reason(e);
      event("full-deployment", false, "", failure);
      escalate(failure + "; check Service " + target.service() + " by hand");
      return;
    }
    childStarted = false;
    stage = Stage.DONE;
    for (RolloutEvent e : done.timeline()) {
      timeline.add(
          new RolloutEvent(
              "blue-green " + e.step(),
              e.atMillis(),
              e.canaryWeight(),
              e.decidedBy(),
              e.success(),
              e.detail()));
    }
    done.notes().forEach(n -> notes.add("blue-green: " + n));
    fullDeploymentAnalysis = done.analysis();
    canaryWeight = done.phase() == RolloutPhase.PROMOTED ? 0 : done.canaryWeight();
    switch (done.phase()) {
      case PROMOTED -> {
        run.record("full-deployment", target.deployment(), true, "runs " + target.image());
        run.ladder()
            .slack(
                "opsflow: the ML model deployment of "
                    + describeTarget()
                    + " was promoted: "
                    + target.deployment()
                    + " runs "
                    + target.image()
                    + "\n"
                    + timelineText(),
                null);
        finish(
            RolloutPhase.PROMOTED,
            target.deployment() + " runs " + request.modelVersion() + " (" + target.image() + ")");
      }
      case ROLLED_BACK -> {
        String trigger =
            done.failure().contains("analysis") ? "performance_degradation" : "deployment_failure";
        failure =
            (done.failure().startsWith("aborted by") ? "" : trigger + ": ")
                + "the blue-green rolled back: "
                + done.failure();
        rollbackMillis = done.rollbackMillis();
        event("full-deployment", false, "", failure);
        if (rollbackMillis != null && rollbackMillis > request.maxRollbackTime().toMillis()) {
          failure += "; " + tooSlow(rollbackMillis);
          RunMetrics.escalated(TYPE, RolloutPhase.ROLLING_BACK.name());
          run.tellHumans(
              "opsflow: the ML model deployment of " + describeTarget() + ": " + failure,
              () -> false);
        }
        finish(RolloutPhase.ROLLED_BACK, failure);
      }
      default -> {
        // The child has told humans already; this run ends in the same decision.
        failure =
            "deployment_failure: the blue-green ended " + done.phase() + ": " + done.failure();
        event("full-deployment", false, "", failure);
        RunMetrics.escalated(TYPE, phase.name());
        finish(RolloutPhase.FAILED, failure);
      }
    }
  }

  private BlueGreenDeployment blueGreen() {
    return Workflow.newExternalWorkflowStub(BlueGreenDeployment.class, childId);
  }

  // ---- rollback ----

  /**
   * Takes the traffic back from the canary: production at full capacity first (so capacity never
   * dips), then the canary's weight 0; that time is the rollback time. Past {@code maxRollbackTime}
   * humans are told at once, while it goes on. After the scale-down delay the canary's pods go. A
   * rollback that fails escalates.
   */
  private void rollback(String reason, List<MetricProgress> failed) {
    failure = reason;
    stage = Stage.DONE;
    long startedAt = Workflow.currentTimeMillis();
    waitingFor = "";
    enter(RolloutPhase.ROLLING_BACK, reason);
    event("rollback", true, abortedBy.isEmpty() ? RunEnvelope.AUTOMATON : abortedBy, reason);
    long limit = request.maxRollbackTime().toMillis();
    Promise<Void> back = Async.procedure(this::takeTrafficBack);
    Promise<Void> slow = null;
    if (!Workflow.await(Duration.ofMillis(limit), back::isCompleted)) {
      String late =
          "the rollback of "
              + describeTarget()
              + " has taken longer than maxRollbackTime ("
              + request.maxRollbackTime()
              + ") and goes on; production may still miss capacity, the canary may still take "
              + canaryWeight
              + "%";
      event("rollback", false, "", late + ": escalated");
      RunMetrics.escalated(TYPE, RolloutPhase.ROLLING_BACK.name());
      slow =
          Async.procedure(
              () -> run.tellHumans("opsflow: " + late + " (after: " + reason + ")", () -> false));
    }
    try {
      back.get();
    } catch (ActivityFailure e) {
      String why = "the rollback failed: " + Failures.reason(e) + " (after: " + reason + ")";
      failure = why;
      event("rollback", false, "", why);
      escalate(why + "; the canary may still take " + canaryWeight + "% of the traffic");
      return;
    }
    rollbackMillis = Workflow.currentTimeMillis() - startedAt;
    RolloutMetrics.rolledBack(TYPE, rollbackMillis);
    run.record("rollback", target.deployment(), true, reason + " (" + rollbackMillis + " ms)");
    if (rollbackMillis > limit) {
      failure = reason + "; " + tooSlow(rollbackMillis);
    }
    run.ladder()
        .slack(
            "opsflow: the ML model deployment of "
                + describeTarget()
                + " was rolled back in "
                + rollbackMillis
                + " ms: "
                + failure
                + (failed.isEmpty()
                    ? ""
                    : ". Failed measurements: " + MeasuredAnalysis.describe(failed)),
            null);
    enter(RolloutPhase.ABORTED, "rolled back: " + failure);
    Workflow.sleep(Duration.ofMillis(scaleDownDelayMillis));
    try {
      ReleaseState down = release.scaleCanaryDown(releaseRequest(0));
      event("scale-down", true, "", down.detail());
    } catch (ActivityFailure e) {
      // Traffic is already off the canary: its idle pods are a cost, not a danger.
      event("scale-down", false, "", "the canary could not be scaled down: " + Failures.reason(e));
    }
    if (slow != null) {
      slow.get(); // every rung of the ladder hears of the slow rollback before the run ends
    }
    finish(RolloutPhase.ROLLED_BACK, "rolled back: " + failure);
  }

  private void takeTrafficBack() {
    ReleaseState restored = rollbackRelease.restoreStable(releaseRequest(0));
    event("restore-stable", true, "", restored.detail());
    RouterState routed =
        rollbackRouter.setWeight(new WeightRequest(actionId(), target, REPLICA_RATIO, 0));
    canaryWeight = routed.canaryWeight();
    event("weight", true, "", "canary at 0%: " + routed.detail());
  }

  private String tooSlow(long millis) {
    return "the rollback took "
        + Duration.ofMillis(millis)
        + ", longer than maxRollbackTime ("
        + request.maxRollbackTime()
        + "): escalated";
  }

  // ---- the ways a run ends ----

  @Override
  protected void closing() {
    stage = Stage.DONE;
  }

  /**
   * Cancelled (Web UI, tctl): the traffic goes back to production in a detached scope; a running
   * blue-green child is cancelled with this run and switches back itself.
   */
  @Override
  protected void undoOnCancel() {
    if (touched && canaryWeight > 0 && stage != Stage.FULL) {
      Workflow.newDetachedCancellationScope(
              () -> {
                try {
                  takeTrafficBack();
                  event("rollback", true, "", "cancelled: production holds all traffic again");
                } catch (ActivityFailure e) {
                  event("rollback", false, "", "cancelled; rollback failed: " + Failures.reason(e));
                }
              })
          .run();
    }
  }

  // ---- records, descriptions ----

  private ReleaseRequest releaseRequest(int weight) {
    return new ReleaseRequest(actionId(), target.workflowId(), target, weight);
  }

  @Override
  protected String describeTarget() {
    return target.namespace()
        + "/"
        + target.deployment()
        + " to model "
        + request.modelVersion()
        + " ("
        + target.image()
        + ")";
  }

  // ---- status, controls ----

  @Override
  protected String kind() {
    return TYPE;
  }

  @Override
  protected String kindInWords() {
    return "ML model deployment";
  }

  @Override
  protected String newVersion() {
    return request.modelVersion() + " (" + target.image() + ")";
  }

  @Override
  protected int steps() {
    return STEPS;
  }

  @Override
  protected List<MetricProgress> measured() {
    // evaluate_canary's measurements decided the release and stay; the blue-green's confirmation
    // follows, named as its timeline lines are. (They used to replace the canary's: a run whose
    // blue-green measured the preview before it had traffic showed only "no data" once PROMOTED.)
    List<MetricProgress> all = new ArrayList<>(super.measured());
    for (MetricProgress m : fullDeploymentAnalysis) {
      all.add(
          new MetricProgress(
              "blue-green " + m.metric(),
              m.dryRun(),
              m.verdict(),
              m.measurements(),
              m.successful(),
              m.failed(),
              m.inconclusive(),
              m.errors(),
              m.consecutiveErrors(),
              m.last(),
              m.nextMeasurementAtMillis()));
    }
    return all;
  }

  @Override
  protected String waitingForNow() {
    return stage == Stage.FULL && childStarted
        ? "nothing here: the blue-green " + childId + " decides (controls are passed on)"
        : waitingFor;
  }

  @Override
  protected boolean ended() {
    return stage == Stage.DONE || super.ended();
  }

  @Override
  protected Refusal refusal(String command) {
    if (ended()) {
      return new Refusal(
          Refusal.NOTHING_PENDING, "the pipeline is over (" + phase + "): nothing to " + command);
    }
    if (command.equals(RolloutNames.RETRY)) {
      return new Refusal(
          Refusal.NOT_A_CHOICE,
          "an ML model deployment does not retry: once it ended, start a new one");
    }
    if (stage == Stage.FULL) {
      return childStarted
          ? null
          : new Refusal(Refusal.NOT_A_CHOICE, "the blue-green is starting; ask again in a moment");
    }
    return super.refusal(command);
  }

  @Override
  protected Refusal pauseRefusal() {
    Refusal refusal = super.pauseRefusal();
    return refusal == null && stage != Stage.CANARY
        ? new Refusal(Refusal.NOT_A_CHOICE, "nothing to pause in phase " + phase)
        : refusal;
  }

  @Override
  protected Refusal promoteRefusal() {
    return monitoringEnds(promotedBy);
  }

  @Override
  protected Refusal promoteFullRefusal() {
    return monitoringEnds(promotedFullBy);
  }

  /** Promote and promoteFull both end the canary's monitoring; {@code already} asked by whom. */
  private Refusal monitoringEnds(String already) {
    if (!already.isEmpty()) {
      return new Refusal(Refusal.ALREADY_DECIDED, "already asked by " + already);
    }
    return stage == Stage.CANARY
            && in(RolloutPhase.ANALYSING, RolloutPhase.PAUSED, RolloutPhase.INCONCLUSIVE)
        ? null
        : new Refusal(
            Refusal.NOT_A_CHOICE,
            stage == Stage.VALIDATE
                ? "the model is being validated; promote once the canary is monitored"
                : "the canary is not being monitored (phase " + phase + ")");
  }

  @Override
  protected Refusal abortRefusal() {
    if (!abortedBy.isEmpty() || in(RolloutPhase.ROLLING_BACK, RolloutPhase.ABORTED)) {
      return new Refusal(
          Refusal.ALREADY_DECIDED,
          "already rolling back" + (abortedBy.isEmpty() ? "" : " (aborted by " + abortedBy + ")"));
    }
    return null;
  }

  /** During the full deployment a command that counts is passed on to the blue-green child. */
  @Override
  protected String take(String command, Decision decision) {
    if (stage == Stage.FULL) {
      forward(command, decision);
      return "passed on to the blue-green " + childId;
    }
    return super.take(command, decision);
  }

  @Override
  protected String accepted(String command, Decision decision) {
    return switch (command) {
      case RolloutNames.PAUSE -> "held at " + canaryWeight + "%";
      case RolloutNames.PROMOTE -> "the canary's monitoring ends; the full deployment follows";
      case RolloutNames.PROMOTE_FULL ->
          "the canary's monitoring and the blue-green's analyses are skipped";
      case RolloutNames.ABORT -> touched ? "rolling back" : "stopping before anything is deployed";
      default -> throw new IllegalStateException("never accepted: " + command);
    };
  }

  /** The child decides whether it counts; it records one that does not. */
  private void forward(String command, Decision decision) {
    BlueGreenDeployment child = blueGreen();
    switch (command) {
      case RolloutNames.PAUSE -> child.pause(decision);
      case RolloutNames.RESUME -> child.resume(decision);
      case RolloutNames.PROMOTE -> child.promote(decision);
      case RolloutNames.PROMOTE_FULL -> child.promoteFull(decision);
      case RolloutNames.ABORT -> child.abort(decision);
      default -> throw new IllegalStateException("not passed on: " + command);
    }
  }
}
