package dev.opsflow.workflows.rollout;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.metrics.MetricsActivities;
import dev.opsflow.activities.metrics.MetricsOptions;
import dev.opsflow.activities.rollout.ReleaseActivities;
import dev.opsflow.activities.rollout.RolloutOptions;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.MetricProgress;
import dev.opsflow.contracts.rollout.RolloutControl;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.kernel.ProcedureRun;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.kernel.SupervisedHandlers;
import dev.opsflow.workflows.remediation.PolicyTightening;
import dev.opsflow.workflows.rollout.analysis.AnalysisRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What every rollout (canary, blue-green, ML model deployment) stands on, written once: the
 * kernel's {@link ProcedureRun} with its Supervised handlers, the rollout's state as the {@code
 * status} query shows it (phase, step, weight, analysis, timeline), and the {@link RolloutControl}
 * frame: each of pause, resume, promote, promoteFull, abort and retry as an Update whose validator
 * refuses with a typed {@link Refusal}, and as a signal of the same name that records a command
 * that would not count instead of dropping it. The handlers only set state and bump {@link
 * #controls}, which the runbook's waits watch; they emit no command (the ML deployment's
 * pass-through to its blue-green child is its own).
 *
 * <p>A rollout extends this, names itself ({@link #kind()}, {@link #kindInWords()}), says what an
 * accepted command does in its words ({@link #accepted}) and overrides the refusals that differ
 * from the common rules; it writes only its runbook.
 */
public abstract class RolloutControls extends SupervisedHandlers implements RolloutControl {
  private final Logger log = Workflow.getLogger(getClass());

  protected final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  protected final ReleaseActivities settingsRead =
      Workflow.newLocalActivityStub(ReleaseActivities.class, RolloutOptions.LOCAL_SETTINGS);
  // CEL lives in the activities: the conditions are compiled there, before anything changes.
  protected final MetricsActivities validation =
      Workflow.newLocalActivityStub(MetricsActivities.class, RolloutOptions.LOCAL_VALIDATE);
  // A measurement reports Prometheus trouble as inconclusive; a lost one is recorded as such.
  protected final MetricsActivities metrics =
      Workflow.newActivityStub(MetricsActivities.class, MetricsOptions.MEASURE);

  protected final ProcedureRun run =
      new ProcedureRun(RolloutPhase.RECEIVED.name(), (step, target, ok) -> {});
  protected final List<RolloutEvent> timeline = new ArrayList<>();
  protected final List<String> notes = new ArrayList<>();

  protected RolloutTarget target;
  protected HumanPolicy human = HumanPolicy.DEFAULT;
  protected RolloutPhase phase = RolloutPhase.RECEIVED;
  protected int step;

  /** The new version's share of the traffic now (0-100). */
  protected int canaryWeight;

  protected AnalysisRun analysis;
  protected String failure = "";
  protected Long rollbackMillis;
  protected String waitingFor = "";

  // Controls, set by the handlers and taken by the runbook; each accepted one bumps the counter
  // the waits watch, so a control interrupts a wait at once.
  protected int controls;
  protected String pausedBy = "";
  protected String promotedBy = "";
  protected String promotedFullBy = "";
  protected String abortedBy = "";
  protected String retriedBy = "";

  /** The workflow type ({@code CanaryRollout}, ...), for metrics, policy and the status. */
  protected abstract String kind();

  /** The kind as humans read it in messages: {@code canary}, {@code blue-green}, ... */
  protected abstract String kindInWords();

  /** What is being rolled out, as the status shows it (an image, a model version). */
  protected abstract String newVersion();

  /** How many steps the rollout has. */
  protected abstract int steps();

  /**
   * What an accepted {@code command} (all but resume, whose words are the frame's) is about to do,
   * in the timeline's words; asked before the frame applies it.
   */
  protected abstract String accepted(String command, Decision decision);

  @Override
  protected final ProcedureRun supervised() {
    return run;
  }

  // ---- the run's frame ----

  /**
   * Runs the runbook to a decision: every failure ends FAILED with humans told why; a cancellation
   * takes the traffic back ({@link #undoOnCancel}) and ends the run cancelled.
   */
  protected final RolloutStatus toDecision(Runnable runbook) {
    try {
      runbook.run();
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

  /** Begins the kernel's run on the rollout's target, with the human policy read. */
  protected final void begin(RunEnvelope envelope) {
    run.begin(
        new ProcedureRun.Identity(kind(), target.namespace() + "/" + target.deployment(), envelope),
        human);
  }

  /**
   * Cancelled (Web UI, tctl): takes the traffic back in a detached scope, so a cancelled rollout
   * never keeps a share of the traffic nobody watches; nothing by default.
   */
  protected void undoOnCancel() {}

  private void cancelled() {
    undoOnCancel();
    run.cancelled("CANCELLED");
    phase = RolloutPhase.FAILED;
    closing();
    failure = "cancelled: " + run.cancelledBy();
    RolloutMetrics.ended(
        kind(), RolloutPhase.RECEIVED, Workflow.currentTimeMillis() - run.startedAtMillis());
  }

  /** The run is ending: a rollout that takes no control from here on marks it; nothing here. */
  protected void closing() {}

  /** Something a human must look at: tell them, end FAILED. */
  protected void escalate(String why) {
    stopIfCancelled();
    closing();
    RunMetrics.escalated(kind(), phase.name());
    run.tellHumans(
        "opsflow: the " + kindInWords() + " of " + describeTarget() + " needs a human: " + why,
        () -> false);
    finish(RolloutPhase.FAILED, why);
  }

  protected void finish(RolloutPhase how, String why) {
    closing();
    waitingFor = "";
    enter(how, why);
    RolloutMetrics.ended(kind(), how, Workflow.currentTimeMillis() - run.startedAtMillis());
    log.info("{} of {} ended {}: {}", capitalised(kindInWords()), target.workflowId(), how, why);
  }

  protected final void stopIfCancelled() {
    if (CancellationScope.current().isCancelRequested()) {
      throw new CanceledFailure("cancelled while " + phase);
    }
  }

  // ---- admission ----

  /** The failure that refuses an input, naming the field. */
  protected static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
  }

  /** Refuses a request with problems, naming each field. */
  protected static void refuseProblems(List<String> problems) {
    if (!problems.isEmpty()) {
      throw invalid(String.join("; ", problems));
    }
  }

  /**
   * One rollout per Deployment, whatever its kind: the run's ID must be the target's. With {@code
   * stageOfParent}, a stage of the run holding that ID (its child on {@code <id>:<stage>}) is
   * accepted too. Reads the run's own info only (no command); offline replayers substitute a
   * placeholder ID, hence the guard.
   */
  protected static void refuseForeignId(RolloutTarget requested, boolean stageOfParent) {
    String id = Workflow.getInfo().getWorkflowId();
    String owner = requested.workflowId();
    boolean stage =
        stageOfParent
            && id.startsWith(owner + ":")
            && Workflow.getInfo().getParentWorkflowId().map(owner::equals).orElse(false);
    if (!Workflow.isReplaying() && !id.equals(owner) && !stage) {
      throw invalid(
          "workflow ID must be "
              + owner
              + " (got "
              + id
              + "), so two rollouts of one Deployment can never run at once");
    }
  }

  /** The analysis' conditions compiled before anything changes; refused naming {@code field}. */
  protected final void refuseBadAnalysis(
      String field, AnalysisTemplate template, AnalysisSubject subject) {
    try {
      validation.validateAnalysis(template, subject);
    } catch (ActivityFailure e) {
      throw invalid(field + ": " + Failures.reason(e));
    }
  }

  /** The server's human policy for this kind, tightened by the request's (never loosened). */
  protected final void readHumanPolicy(RunEnvelope envelope) {
    PolicyTightening.HumanResult people =
        PolicyTightening.human(
            policies.serverPolicy().human(kind()), envelope.human(), target.namespace());
    human = people.policy();
    notes.addAll(people.notes());
  }

  /** The request's value when it is at most the server's, else the server's (noted). */
  protected final long tightened(String field, Duration requested, long serverSeconds) {
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

  protected final void logNotes() {
    notes.forEach(
        n -> log.warn("{} of {}: {}", capitalised(kindInWords()), target.workflowId(), n));
  }

  // ---- waits for a human ----

  /** Told when a wait for a human starts and ends (the canary stops its deadline's clock). */
  protected void waitingForHuman(boolean waiting) {}

  /**
   * The kernel's approval gate where the human policy asks for one; true when approved or none is
   * needed, false when rejected, escalated or aborted (an abort ends the wait), with {@link
   * #failure} saying why.
   */
  protected final boolean approved(String plan) {
    ApprovalPolicy policy = human.approvalFor(target.namespace());
    if (policy == null) {
      return true;
    }
    waitingForHuman(true);
    waitingFor = "approval: " + plan;
    phase = RolloutPhase.AWAITING_APPROVAL; // the gate enters the kernel's phase itself
    ApprovalResult result =
        run.approval(
            RolloutPhase.AWAITING_APPROVAL.name(), plan, policy, () -> !abortedBy.isEmpty());
    waitingForHuman(false);
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
      RunMetrics.escalated(kind(), RolloutPhase.AWAITING_APPROVAL.name());
    }
    return false;
  }

  /**
   * After a rollback: waits for {@code retry} until the retry window ends; true when retried (the
   * controls and the step are cleared, {@code again} is the timeline's line).
   */
  protected final boolean awaitRetry(long retryWindowMillis, String again) {
    long until = Workflow.currentTimeMillis() + retryWindowMillis;
    while (retriedBy.isEmpty()) {
      long left = until - Workflow.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      waitingFor = "retry until " + Instant.ofEpochMilli(until);
      int seen = controls;
      Workflow.await(Duration.ofMillis(left), () -> controls != seen);
    }
    event("retry", true, retriedBy, again);
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

  // ---- a wait with the analysis measuring during it ----

  /**
   * How a watched wait ended: go on ({@link #rollback} null; {@link #passedBy} the promoter, or
   * {@code opsflow} when the analysis passed), or roll back with why and what failed.
   */
  protected record Watched(String rollback, List<MetricProgress> failed, String passedBy) {
    public static Watched passed(String by) {
      return new Watched(null, List.of(), by);
    }

    public static Watched rollBack(String why, List<MetricProgress> failed) {
      return new Watched(why, failed, "");
    }
  }

  /**
   * One wait of a rollout with {@link #analysis} measuring during it (a canary step's pause, the ML
   * canary's monitoring, a blue-green analysis), in the rollout's words. Ends at {@code
   * endsAtMillis} once the analysis passed ({@link Long#MAX_VALUE}: only on promote).
   */
  protected abstract class Watch {
    final AnalysisSubject subject;
    final long endsAtMillis;
    final String prefix;

    /**
     * @param prefix put before the verdict in the timeline's analysis lines ("" or e.g. {@code
     *     "pre-promotion "})
     */
    protected Watch(AnalysisSubject subject, long endsAtMillis, String prefix) {
      this.subject = subject;
      this.endsAtMillis = endsAtMillis;
      this.prefix = prefix;
    }

    /** Records that promote (or promoteFull, {@code full}) by {@code by} ended the wait. */
    protected abstract void promoted(String by, boolean full);

    /** The rollback's reason when the analysis failed or errored ({@code verdict} in words). */
    protected abstract String failed(String verdict);

    /** Whether a passed analysis gets its own line in the timeline. */
    protected boolean recordsPass() {
      return true;
    }

    protected abstract String inconclusiveWaitsFor();

    protected abstract String inconclusive(String why);

    /** What humans are told when the analysis is inconclusive. */
    protected abstract String inconclusiveMessage(String why);

    protected abstract String pausedWaitsFor();

    protected String paused() {
      return "paused by " + pausedBy + " at " + canaryWeight + "%";
    }

    /** What an indefinite wait (endsAtMillis {@link Long#MAX_VALUE}) waits for. */
    protected String indefiniteWaitsFor() {
      return "promote";
    }

    protected String indefinite() {
      return "waits for promote at " + canaryWeight + "%";
    }

    protected abstract String analysing();
  }

  /** How many watched waits have ended: settles the question each one asked, however it ended. */
  private int watchesEnded;

  /** How long the progress deadline still gives; {@link Long#MAX_VALUE}: there is none. */
  protected long deadlineLeftMillis() {
    return Long.MAX_VALUE;
  }

  /** Why the rollout rolls back when its progress deadline passed. */
  protected String deadlineReason() {
    return "the progress deadline passed";
  }

  /**
   * Waits with the analysis measuring: goes on when the wait is over and the analysis passed (a
   * wait longer than the analysis waits; an analysis longer than the wait is waited for), or at
   * once on promote; a failed or errored analysis, an abort or a passed deadline rolls back. An
   * inconclusive analysis, an operator's pause or an indefinite wait holds it for a human (and
   * stops the deadline's clock). Controls interrupt the waits at once.
   */
  protected final Watched watch(Watch w) {
    try {
      return watching(w);
    } finally {
      watchesEnded++;
    }
  }

  private Watched watching(Watch w) {
    boolean indefinite = w.endsAtMillis == Long.MAX_VALUE;
    boolean told = false;
    while (true) {
      if (!abortedBy.isEmpty()) {
        return Watched.rollBack("aborted by " + abortedBy, List.of());
      }
      if (!promotedFullBy.isEmpty()) {
        w.promoted(promotedFullBy, true);
        return Watched.passed(promotedFullBy);
      }
      if (!promotedBy.isEmpty()) {
        w.promoted(promotedBy, false);
        pausedBy = "";
        return Watched.passed(promotedBy);
      }
      analysis = MeasuredAnalysis.takeDue(analysis, w.subject, metrics);
      AnalysisVerdict verdict = analysis == null ? AnalysisVerdict.SUCCESSFUL : analysis.verdict();
      if (verdict == AnalysisVerdict.FAILED || verdict == AnalysisVerdict.ERROR) {
        List<MetricProgress> deciders = analysis.deciders();
        event(
            "analysis",
            false,
            RunEnvelope.AUTOMATON,
            w.prefix + verdict + ": " + MeasuredAnalysis.describe(deciders));
        return Watched.rollBack(w.failed(verdict.name().toLowerCase()), deciders);
      }
      long now = Workflow.currentTimeMillis();
      boolean inconclusive = verdict == AnalysisVerdict.INCONCLUSIVE;
      boolean held = inconclusive || !pausedBy.isEmpty() || indefinite;
      if (!held && now >= w.endsAtMillis && verdict == AnalysisVerdict.SUCCESSFUL) {
        if (analysis != null && w.recordsPass()) {
          event(
              "analysis",
              true,
              RunEnvelope.AUTOMATON,
              w.prefix + "successful: " + MeasuredAnalysis.describe(analysis.metrics()));
        }
        return Watched.passed(RunEnvelope.AUTOMATON);
      }
      waitingForHuman(held);
      if (!held && deadlineLeftMillis() <= 0) {
        return Watched.rollBack(deadlineReason(), List.of());
      }
      if (inconclusive) {
        if (!told) {
          told = true;
          String why = MeasuredAnalysis.describe(analysis.deciders());
          waitingFor = w.inconclusiveWaitsFor();
          enter(RolloutPhase.INCONCLUSIVE, w.inconclusive(why));
          event("analysis", false, RunEnvelope.AUTOMATON, "inconclusive (never a pass): " + why);
          String text = w.inconclusiveMessage(why);
          int question = watchesEnded;
          Async.procedure(() -> run.tellHumans(text, () -> watchesEnded != question));
        }
      } else if (!pausedBy.isEmpty()) {
        waitingFor = w.pausedWaitsFor();
        enter(RolloutPhase.PAUSED, w.paused());
      } else if (indefinite) {
        waitingFor = w.indefiniteWaitsFor();
        enter(RolloutPhase.PAUSED, w.indefinite());
      } else {
        waitingFor = "";
        enter(RolloutPhase.ANALYSING, w.analysing());
      }
      long wake = analysis == null ? Long.MAX_VALUE : analysis.nextMeasurementAtMillis();
      if (!held) {
        // A wait already over only waits for its analysis: capping the wait at a past end would
        // loop without yielding (the deadlock detector failed the workflow task at every step).
        if (w.endsAtMillis > now) {
          wake = Math.min(wake, w.endsAtMillis);
        }
        long left = deadlineLeftMillis();
        if (left != Long.MAX_VALUE) {
          wake = Math.min(wake, now + left);
        }
      }
      int seen = controls;
      if (wake == Long.MAX_VALUE) {
        Workflow.await(() -> controls != seen);
      } else if (wake > now) {
        Workflow.await(Duration.ofMillis(wake - now), () -> controls != seen);
      }
    }
  }

  // ---- records, descriptions ----

  protected final void enter(RolloutPhase next, String why) {
    phase = next;
    run.enter(next.name(), why);
  }

  protected final void event(String name, boolean success, String by, String detail) {
    timeline.add(
        new RolloutEvent(name, Workflow.currentTimeMillis(), canaryWeight, by, success, detail));
  }

  protected static String actionId() {
    return Workflow.randomUUID().toString();
  }

  /** The target as messages name it: {@code ns/deployment to image}. */
  protected String describeTarget() {
    return target.namespace() + "/" + target.deployment() + " to " + target.image();
  }

  protected final String timelineText() {
    StringBuilder text = new StringBuilder();
    for (RolloutEvent e : timeline) {
      text.append(Instant.ofEpochMilli(e.atMillis()))
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

  private static String capitalised(String words) {
    return words.isEmpty() ? words : Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  // ---- the status query ----

  /** Every metric's progress, as the status shows it: the analysis of the step at hand. */
  protected List<MetricProgress> measured() {
    return analysis == null ? List.of() : analysis.metrics();
  }

  /** What waits for a human, as the status shows it. */
  protected String waitingForNow() {
    return waitingFor;
  }

  @Override
  public RolloutStatus status() {
    return new RolloutStatus(
        kind(),
        target == null ? "" : target.namespace(),
        target == null ? "" : target.deployment(),
        target == null ? "" : newVersion(),
        phase,
        step,
        steps(),
        canaryWeight,
        100 - canaryWeight,
        waitingForNow(),
        pausedBy,
        measured(),
        failure,
        rollbackMillis,
        timeline,
        notes);
  }

  // ---- refusals ----

  /** Whether the rollout has ended: no command counts any more. */
  protected boolean ended() {
    return phase == RolloutPhase.PROMOTED
        || phase == RolloutPhase.ROLLED_BACK
        || phase == RolloutPhase.FAILED
        || phase == RolloutPhase.REJECTED;
  }

  protected final boolean in(RolloutPhase... phases) {
    for (RolloutPhase p : phases) {
      if (phase == p) {
        return true;
      }
    }
    return false;
  }

  /** Why {@code command} would not count now, or null when it would. */
  private Refusal refusal(String command, Decision decision) {
    if (decision == null || decision.by() == null || decision.by().isBlank()) {
      return new Refusal(Refusal.WHO_REQUIRED, "'by' is required: who asks to " + command);
    }
    return refusal(command);
  }

  /** Why {@code command}, asked by someone, would not count now, or null when it would. */
  protected Refusal refusal(String command) {
    if (ended()) {
      return new Refusal(
          Refusal.NOTHING_PENDING, "the rollout has ended (" + phase + "): nothing to " + command);
    }
    return switch (command) {
      case RolloutNames.PAUSE -> pauseRefusal();
      case RolloutNames.RESUME -> resumeRefusal();
      case RolloutNames.PROMOTE -> promoteRefusal();
      case RolloutNames.PROMOTE_FULL -> promoteFullRefusal();
      case RolloutNames.ABORT -> abortRefusal();
      case RolloutNames.RETRY -> retryRefusal();
      default -> new Refusal(Refusal.NOT_A_CHOICE, "unknown command " + command);
    };
  }

  protected Refusal pauseRefusal() {
    if (!pausedBy.isEmpty()) {
      return new Refusal(Refusal.ALREADY_DECIDED, "already paused by " + pausedBy);
    }
    return in(RolloutPhase.PROGRESSING, RolloutPhase.ANALYSING, RolloutPhase.PAUSED)
        ? null
        : new Refusal(Refusal.NOT_A_CHOICE, "nothing to pause in phase " + phase);
  }

  protected final Refusal resumeRefusal() {
    return !pausedBy.isEmpty()
        ? null
        : new Refusal(
            Refusal.NOTHING_PENDING,
            "not paused by an operator (phase " + phase + ")" + resumeHint());
  }

  /** Appended to the refusal of a resume that would not count: which command ends this wait. */
  protected String resumeHint() {
    return "";
  }

  protected Refusal promoteRefusal() {
    if (in(RolloutPhase.ANALYSING, RolloutPhase.PAUSED, RolloutPhase.INCONCLUSIVE)) {
      return promotedBy.isEmpty()
          ? null
          : new Refusal(Refusal.ALREADY_DECIDED, "already promoted by " + promotedBy);
    }
    return new Refusal(
        Refusal.NOT_A_CHOICE,
        phase == RolloutPhase.AWAITING_APPROVAL
            ? "waits for approval: approve or reject"
            : nothingToPromote());
  }

  /** Why promote would not count outside a pause (or an approval). */
  protected String nothingToPromote() {
    return "nothing to promote in phase " + phase;
  }

  protected Refusal promoteFullRefusal() {
    if (!promotedFullBy.isEmpty()) {
      return new Refusal(Refusal.ALREADY_DECIDED, "already promoted fully by " + promotedFullBy);
    }
    return in(
            RolloutPhase.PROGRESSING,
            RolloutPhase.ANALYSING,
            RolloutPhase.PAUSED,
            RolloutPhase.INCONCLUSIVE)
        ? null
        : new Refusal(Refusal.NOT_A_CHOICE, "nothing to promote in phase " + phase);
  }

  protected Refusal abortRefusal() {
    if (!abortedBy.isEmpty() || in(RolloutPhase.ROLLING_BACK, RolloutPhase.ABORTED)) {
      return new Refusal(
          Refusal.ALREADY_DECIDED,
          "already "
              + (phase == RolloutPhase.ABORTED ? "rolled back" : "rolling back")
              + (abortedBy.isEmpty() ? "" : " (aborted by " + abortedBy + ")"));
    }
    return phase == RolloutPhase.PROMOTING
        ? new Refusal(Refusal.NOT_A_CHOICE, promotionUnderWay())
        : null;
  }

  /** Why abort would not count while promoting. */
  protected String promotionUnderWay() {
    return "the promotion is under way: the stable is getting " + target.image();
  }

  protected Refusal retryRefusal() {
    if (phase == RolloutPhase.ABORTED) {
      return retriedBy.isEmpty()
          ? null
          : new Refusal(Refusal.ALREADY_DECIDED, "already retried by " + retriedBy);
    }
    return new Refusal(
        phase == RolloutPhase.ROLLING_BACK ? Refusal.NOT_A_CHOICE : Refusal.NOTHING_PENDING,
        phase == RolloutPhase.ROLLING_BACK
            ? "the rollback is under way; retry once it finished"
            : "nothing to retry: the rollout was not rolled back (phase " + phase + ")");
  }

  // ---- controls ----

  private void validate(String command, Decision decision) {
    Refusal refusal = refusal(command, decision);
    if (refusal != null) {
      throw refusal.failure();
    }
  }

  /** Applies {@code command} when it counts, else records it as ignored; the status after. */
  private RolloutStatus control(String command, Decision decision) {
    Refusal refusal = refusal(command, decision);
    if (refusal != null) {
      event(command, false, decision == null ? "" : decision.by(), "ignored: " + refusal.message());
      log.warn("Ignored {}: {}", command, refusal.message());
      return status();
    }
    String detail = take(command, decision);
    String comment =
        decision.comment() == null || decision.comment().isBlank()
            ? ""
            : " (" + decision.comment() + ")";
    event(command, true, decision.by(), detail + comment);
    controls++;
    return status();
  }

  /**
   * Takes a command that counts: its effect on the controls' state; the timeline's words for it.
   */
  protected String take(String command, Decision decision) {
    String detail =
        command.equals(RolloutNames.RESUME)
            ? "resumed (paused by " + pausedBy + ")"
            : accepted(command, decision);
    switch (command) {
      case RolloutNames.PAUSE -> pausedBy = decision.by();
      case RolloutNames.RESUME -> pausedBy = "";
      case RolloutNames.PROMOTE -> promotedBy = decision.by();
      case RolloutNames.PROMOTE_FULL -> {
        promotedFullBy = decision.by();
        pausedBy = "";
      }
      case RolloutNames.ABORT -> abortedBy = decision.by();
      case RolloutNames.RETRY -> retriedBy = decision.by();
      default -> throw new IllegalStateException("no such control: " + command);
    }
    return detail;
  }

  @Override
  public RolloutStatus pauseChecked(Decision decision) {
    return control(RolloutNames.PAUSE, decision);
  }

  @Override
  public void validatePause(Decision decision) {
    validate(RolloutNames.PAUSE, decision);
  }

  @Override
  public void pause(Decision decision) {
    control(RolloutNames.PAUSE, decision);
  }

  @Override
  public RolloutStatus resumeChecked(Decision decision) {
    return control(RolloutNames.RESUME, decision);
  }

  @Override
  public void validateResume(Decision decision) {
    validate(RolloutNames.RESUME, decision);
  }

  @Override
  public void resume(Decision decision) {
    control(RolloutNames.RESUME, decision);
  }

  @Override
  public RolloutStatus promoteChecked(Decision decision) {
    return control(RolloutNames.PROMOTE, decision);
  }

  @Override
  public void validatePromote(Decision decision) {
    validate(RolloutNames.PROMOTE, decision);
  }

  @Override
  public void promote(Decision decision) {
    control(RolloutNames.PROMOTE, decision);
  }

  @Override
  public RolloutStatus promoteFullChecked(Decision decision) {
    return control(RolloutNames.PROMOTE_FULL, decision);
  }

  @Override
  public void validatePromoteFull(Decision decision) {
    validate(RolloutNames.PROMOTE_FULL, decision);
  }

  @Override
  public void promoteFull(Decision decision) {
    control(RolloutNames.PROMOTE_FULL, decision);
  }

  @Override
  public RolloutStatus abortChecked(Decision decision) {
    return control(RolloutNames.ABORT, decision);
  }

  @Override
  public void validateAbort(Decision decision) {
    validate(RolloutNames.ABORT, decision);
  }

  @Override
  public void abort(Decision decision) {
    control(RolloutNames.ABORT, decision);
  }

  @Override
  public RolloutStatus retryChecked(Decision decision) {
    return control(RolloutNames.RETRY, decision);
  }

  @Override
  public void validateRetry(Decision decision) {
    validate(RolloutNames.RETRY, decision);
  }

  @Override
  public void retry(Decision decision) {
    control(RolloutNames.RETRY, decision);
  }
}
