package dev.opsflow.workflows.remediation;

import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.DeploymentInspection;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationCarry;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.CarriedRun;
import dev.opsflow.workflows.human.EscalationLadder;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.kernel.GovernorLease;
import dev.opsflow.workflows.kernel.HistoryBound;
import dev.opsflow.workflows.kernel.ProcedureRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The remediation family on the procedure kernel ({@link ProcedureRun}): each procedure's workflow
 * reads as its runbook: confirm -> approve (where required) -> admit -> act -> verify -> cooldown,
 * or escalate. On top of the kernel it adds the rules no remediation may skip: never act after the
 * alert resolved, never act without the governor's admission nor without a required approval, count
 * every action in the metrics, and never act twice inside the cooldown (a recurrence escalates
 * instead).
 *
 * <p>Created as a field of the workflow implementation, because the first notice arrives by signal
 * before the workflow method runs.
 */
public final class RemediationRun {
  private static final Logger log = Workflow.getLogger(RemediationRun.class);

  private final ProcedureRun run =
      new ProcedureRun(
          Phase.RECEIVED.name(), (step, target, ok) -> HealingMetrics.action(step, ok));

  /**
   * Version marker of the server-owned policy: from version 1 a run reads the worker's policy,
   * tightens it with its input's limits (never loosens), and checks and records the problem's last
   * action with the governor, so the cooldown holds across runs. Histories from before replay with
   * the policy of their input.
   */
  public static final String SERVER_POLICY = "server-policy";

  /**
   * Version marker of the bounded history: from version 1 a run keeps the count of episodes and
   * only the latest {@link Episodes#RECENT} ids, and continues as new at its long waits (approval,
   * admission, cooldown) once its history is past {@link HistoryBound}. Histories from before
   * replay as they ran: every id kept, one history however long.
   */
  public static final String BOUNDED_HISTORY = "bounded-history";

  /**
   * Version marker: from version 1 the server policy is read by a local activity (same answer,
   * recorded as a marker), which saves an activity task and a workflow task at the start of every
   * run. Histories from before read it through the normal activity.
   */
  public static final String LOCAL_POLICY_READ = "local-policy-read";

  /**
   * Version marker: from version 1 the pure reads of a run (the pods and Deployment it checks, who
   * else controls the target, the problem's last action) are local activities, recorded as markers:
   * each saves an activity task and a workflow task. Every change to the cluster stays a normal
   * activity (the signals to the governor, the action record among them, are local from {@link
   * GovernorLease#LOCAL_SIGNALS} on). Histories from before read through normal activities.
   */
  public static final String LOCAL_READS = "local-reads";

  /**
   * Version marker: from version 1 the two reads before admission (the problem's last action, who
   * else controls the target) run at once instead of one after the other: they are independent and
   * a run that goes on to act needs both. Their verdicts are judged in the same order as before
   * (cooldown first). Histories from before read one after the other.
   */
  public static final String PARALLEL_GATE_READS = "parallel-gate-reads";

  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  private final PolicyActivities localPolicies =
      Workflow.newLocalActivityStub(PolicyActivities.class, DispatchOptions.LOCAL_POLICY);
  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private final KubernetesActivities readK8s =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.READ_K8S);
  private final KubernetesActivities localReadK8s =
      Workflow.newLocalActivityStub(KubernetesActivities.class, KubernetesOptions.LOCAL_READ_K8S);
  private final DispatchActivities localQuery =
      Workflow.newLocalActivityStub(DispatchActivities.class, DispatchOptions.LOCAL_QUERY);
  private final Episodes episodes = new Episodes();
  // Signals that arrive before the workflow method's first line (signal-with-start, or signals
  // queued while the previous run of the chain handed over) are taken in once the run knows its
  // state: a recurrence is judged against when the chain acted, an approval meets its gate, an
  // admission its lease.
  private final List<Runnable> early = new ArrayList<>();
  private final List<String> policyNotes = new ArrayList<>();
  private RemediationRequest request;
  private HealingPolicy policy;
  private boolean serverPolicy;
  private boolean localReads;
  private boolean resolved;
  private long actedAtMillis;
  private boolean recurred;
  private int continued;
  private String ending = "";
  private String endingWhy = "";

  public RemediationRun() {
    run.onActing(() -> actedAtMillis = Workflow.currentTimeMillis());
  }

  /** The workflow method's first line. */
  public void begin(RemediationRequest request) {
    this.request = request;
    // A carry is believed only from this run's own chain: Temporal sets the continued-from run
    // on a continue-as-new, which no start (tctl, REST, a raw input) can forge. A start that
    // brings one would otherwise skip confirmation, approval and the governor.
    boolean continuation = Workflow.getInfo().getContinuedExecutionRunId().isPresent();
    if (request.carried() != null && continuation) {
      resume(request.carried());
      return;
    }
    if (request.carried() != null) {
      policyNotes.add(
          "carried state in the input ignored: this run was not continued from another");
    }
    serverPolicy = Workflow.getVersion(SERVER_POLICY, Workflow.DEFAULT_VERSION, 1) == 1;
    HumanPolicy human;
    if (serverPolicy) {
      HealingPolicy server =
          Workflow.getVersion(LOCAL_POLICY_READ, Workflow.DEFAULT_VERSION, 1) == 1
              ? localPolicies.serverPolicy()
              : policies.serverPolicy();
      PolicyTightening.Result result =
          PolicyTightening.apply(server, request.policy(), request.limits());
      policy = result.policy();
      PolicyTightening.HumanResult people =
          PolicyTightening.human(
              policy.human(request.procedure()),
              request.run().human(),
              request.target().namespace());
      human = people.policy();
      localReads = Workflow.getVersion(LOCAL_READS, Workflow.DEFAULT_VERSION, 1) == 1;
      policyNotes.addAll(result.notes());
      policyNotes.addAll(people.notes());
      policyNotes.forEach(n -> log.warn("Policy of {}: {}", request.workflowId(), n));
    } else {
      // A history from before the server owned the policy: the input's whole policy, as then.
      policy = request.policy();
      human = policy.human(request.procedure());
    }
    run.begin(
        new ProcedureRun.Identity(request.procedure(), request.target().key(), request.run()),
        human);
    if (Workflow.getVersion(BOUNDED_HISTORY, Workflow.DEFAULT_VERSION, 1) == 1) {
      boundHistory();
    }
    noticeFired(request.alert());
    takeEarlyNotices();
    log.info(
        "Remediation {} of {} started (severity {}, source {})",
        request.procedure(),
        request.target().key(),
        request.severity(),
        request.alert() == null ? "manual" : request.alert().source());
  }

  /**
   * The first line of a run that continues an earlier one of the chain as new: it takes over the
   * policy as that run tightened it (the server's is not read again), the episodes, when it acted,
   * and the kernel's state, and resumes the wait where that run stopped.
   */
  private void resume(RemediationCarry carried) {
    Workflow.getVersion(BOUNDED_HISTORY, Workflow.DEFAULT_VERSION, 1);
    localReads = Workflow.getVersion(LOCAL_READS, Workflow.DEFAULT_VERSION, 1) == 1;
    serverPolicy = carried.serverPolicy();
    policy = carried.policy();
    policyNotes.addAll(carried.policyNotes());
    resolved |= carried.resolved();
    actedAtMillis = carried.actedAtMillis();
    recurred |= carried.recurred();
    continued = carried.run().continued();
    ending = carried.ending();
    endingWhy = carried.endingWhy();
    episodes.resume(carried.episodes(), carried.recentEpisodes());
    run.resume(
        new ProcedureRun.Identity(request.procedure(), request.target().key(), request.run()),
        carried.human(),
        carried.run());
    boundHistory();
    takeEarlyNotices();
    log.info(
        "Remediation {} of {} continued as new (run {} of the chain) at {}, {} episodes so far",
        request.procedure(),
        request.target().key(),
        continued + 1,
        carried.run().resumeAt(),
        episodes.count());
  }

  private void boundHistory() {
    episodes.bounded();
    run.boundHistory(HistoryBound::reached, point -> handOver(point, "", ""));
  }

  private void takeEarlyNotices() {
    List<Runnable> arrived = List.copyOf(early);
    early.clear();
    arrived.forEach(Runnable::run);
  }

  /** The kernel's run under this remediation (the Supervised handlers forward to it). */
  ProcedureRun kernel() {
    return run;
  }

  /** Before an approve/reject Update decides: waits for the run to have begun, checks again. */
  void awaitBegun(Decision decision) {
    if (request == null) {
      Workflow.await(() -> request != null);
      run.validateDecision(decision);
    }
  }

  /**
   * A run continued as new that has not yet taken over its gate cannot judge a decision: the
   * Update's handler checks it once the run has begun ({@link #awaitBegun}).
   */
  boolean decisionCheckedLater() {
    return request == null && Workflow.getInfo().getContinuedExecutionRunId().isPresent();
  }

  /** Runs {@code handler} now, or once the run has begun (see {@link #early}). */
  void whenBegun(Runnable handler) {
    if (request == null) {
      early.add(handler);
    } else {
      handler.run();
    }
  }

  /**
   * Continues the run as new at a safe wait ({@code point}), carrying everything it knows; does not
   * return. {@code ending} and {@code why} say how a cooldown ends.
   */
  private void handOver(String point, String ending, String why) {
    // Temporal requires every handler to be done first; a signal that arrives meanwhile makes the
    // server refuse the switch, and the task runs again with it, so the carry includes it.
    Workflow.await(Workflow::isEveryHandlerFinished);
    RemediationCarry carry =
        new RemediationCarry(
            run.carry(point, continued + 1),
            policy,
            run.human(),
            policyNotes,
            serverPolicy,
            episodes.count(),
            episodes.latest(),
            resolved,
            actedAtMillis,
            recurred,
            ending,
            why);
    log.info(
        "Remediation {} continues as new at {}: history {} events, {} bytes{}, {} episodes",
        Workflow.getInfo().getWorkflowId(),
        point,
        Workflow.getInfo().getHistoryLength(),
        Workflow.getInfo().getHistorySize(),
        Workflow.getInfo().isContinueAsNewSuggested() ? " (suggested by the server)" : "",
        episodes.count());
    Workflow.continueAsNew(request.continuedWith(carry));
  }

  /**
   * The stub for reading the cluster: local activities for runs from {@link #LOCAL_READS} on, the
   * normal activity before (so older histories replay).
   */
  public KubernetesActivities readK8s() {
    return localReads ? localReadK8s : readK8s;
  }

  public RemediationRequest request() {
    return request;
  }

  /**
   * The policy this run follows: the worker's, tightened by the input's limits where they are
   * tighter (never loosened).
   */
  public HealingPolicy policy() {
    return policy;
  }

  // ---- signal, update and query handlers delegate here ----

  public void noticeFired(AlertNotice notice) {
    if (notice != null && request == null) {
      early.add(() -> noticeFired(notice));
      return;
    }
    if (notice == null || !episodes.seen(notice.episode())) {
      return; // a resend of an episode already seen (Alertmanager group resends, HA pairs)
    }
    if (actedAtMillis > 0) {
      // Recurrence is the problem seen again after acting: a later episode. Another pod's alert of
      // the episode that was fixed (it started firing before the action) is not (current kernel).
      recurred |= !serverPolicy || startedAfter(notice, actedAtMillis);
    }
  }

  /** True when the notice's episode began after {@code millis}, or its start cannot be read. */
  private static boolean startedAfter(AlertNotice notice, long millis) {
    try {
      return java.time.Instant.parse(notice.startsAt()).toEpochMilli() > millis;
    } catch (RuntimeException unreadable) {
      return true;
    }
  }

  public void noticeResolved(AlertNotice notice) {
    resolved = true;
  }

  public void noticeAdmitted() {
    whenBegun(() -> run.lease().admitted());
  }

  public RemediationStatus status() {
    return new RemediationStatus(
        Workflow.getInfo().getWorkflowId(),
        request == null ? "" : request.procedure(),
        request == null ? "" : request.target().key(),
        request == null ? "" : request.severity(),
        phase(),
        run.failure().isEmpty() ? run.detail() : run.detail() + " (failed: " + run.failure() + ")",
        episodes.count(),
        run.steps(),
        run.ladder().record(),
        run.waitingFor(),
        run.decisions(),
        run.cancelledBy(),
        List.copyOf(policyNotes));
  }

  public Progress progress() {
    return run.progress();
  }

  private Phase phase() {
    return Phase.valueOf(run.phase());
  }

  // ---- the steps ----

  /**
   * Waits the severity's confirmation delay (none for critical), then checks the problem still
   * holds. False when the alert resolved meanwhile or the check says it is gone.
   */
  public boolean confirm(Supplier<Boolean> stillBad) {
    long seconds = policy.confirmSeconds(request.severity());
    if (seconds > 0) {
      enter(Phase.CONFIRMING, "waiting " + seconds + "s to confirm the problem holds");
      Workflow.await(Duration.ofSeconds(seconds), () -> resolved);
    }
    if (resolved) {
      return false;
    }
    // Only the detail: the phase (and its search attribute) stays, so no history changes. A read
    // retried for minutes while its system is down then shows what the run is doing.
    run.enter(run.phase(), "checking that the problem still holds");
    return stillBad.get();
  }

  /** Asks the blast-radius governor for a slot; false on timeout or when the alert resolved. */
  public boolean admit() {
    boolean resumed = run.resumes(CarriedRun.ADMISSION);
    if (!resumed) {
      enter(Phase.WAITING_FOR_ADMISSION, "waiting for the blast-radius governor");
    }
    long lease = Math.max(600, policy.settleSeconds() * 3 + 300);
    AdmissionRequest admission =
        new AdmissionRequest(
            Workflow.getInfo().getWorkflowId(),
            request.target().namespace(),
            request.severity(),
            lease,
            policy.maxInFlight(),
            policy.maxInFlightPerNamespace());
    Duration timeout = Duration.ofSeconds(policy.admissionTimeoutSeconds());
    GovernorLease slot = run.lease();
    if (!bounded()) {
      return slot.acquire(admission, timeout, () -> resolved);
    }
    // Asked once for the whole chain: a continued run keeps its place and its slot.
    slot.ask(admission, timeout);
    boolean admitted = slot.awaitAdmission(() -> resolved || run.handOverDue());
    if (!admitted && !resolved && run.handOverDue() && slot.waitingTimeLeft()) {
      handOver(CarriedRun.ADMISSION, "", "");
    }
    return slot.isAdmitted() && !resolved;
  }

  /** True for runs whose history is bounded ({@link #BOUNDED_HISTORY}). */
  private boolean bounded() {
    return episodes.isBounded();
  }

  /**
   * The prologue every remediation shares: confirm the problem still holds, get a human's approval
   * where the procedure's policy asks for one, then get the governor's admission. Approval comes
   * before admission so that a run waiting hours for a human does not hold a governor slot.
   *
   * @param goneReason why nothing is done when the check finds the problem gone
   * @param plan what the procedure will do, in the approver's words
   * @return how to end instead of acting (not needed, rejected, or escalated); empty = go ahead
   */
  public Optional<RemediationOutcome> confirmAndAdmit(
      Supplier<Boolean> stillBad, String goneReason, String plan) {
    return confirmAndAdmit(stillBad, goneReason, plan, Optional::empty);
  }

  private Optional<RemediationOutcome> confirmAndAdmit(
      Supplier<Boolean> stillBad,
      String goneReason,
      String plan,
      Supplier<Optional<RemediationOutcome>> afterConfirm) {
    // A run continued as new at the approval or the admission wait did all that comes before it.
    String resumeAt = run.resumeAt();
    boolean resuming =
        resumeAt.equals(CarriedRun.APPROVAL) || resumeAt.equals(CarriedRun.ADMISSION);
    if (!resuming) {
      Optional<RemediationOutcome> before = beforeApproval(stillBad, goneReason, afterConfirm);
      if (before.isPresent()) {
        return before;
      }
    }
    if (!resumeAt.equals(CarriedRun.ADMISSION)) {
      Optional<RemediationOutcome> refused = approval(plan);
      if (refused.isPresent()) {
        return refused;
      }
    }
    if (!admit()) {
      return Optional.of(
          resolved
              ? notNeeded("alert resolved while waiting for admission")
              : escalate("the blast-radius governor did not admit the action in time"));
    }
    return Optional.empty();
  }

  /** Confirms, then checks nothing stands in the way: an earlier run's cooldown, the target. */
  private Optional<RemediationOutcome> beforeApproval(
      Supplier<Boolean> stillBad,
      String goneReason,
      Supplier<Optional<RemediationOutcome>> afterConfirm) {
    if (!confirm(stillBad)) {
      return Optional.of(notNeeded(resolved ? "alert resolved before acting" : goneReason));
    }
    Optional<RemediationOutcome> unsure = afterConfirm.get();
    if (unsure.isPresent()) {
      return unsure;
    }
    if (serverPolicy
        && localReads
        && Workflow.getVersion(PARALLEL_GATE_READS, Workflow.DEFAULT_VERSION, 1) == 1) {
      String deployment = request.target().deployment();
      String namespace = request.target().namespace();
      run.enter(
          run.phase(),
          "checking the problem's cooldown"
              + (deployment.isEmpty()
                  ? ""
                  : " and who controls Deployment " + namespace + "/" + deployment));
      Promise<ActionMark> last =
          Async.function(localQuery::lastAction, Workflow.getInfo().getWorkflowId());
      Promise<DeploymentInspection> inspection =
          deployment.isEmpty()
              ? null
              : Async.function(localReadK8s::inspectDeployment, namespace, deployment);
      Optional<RemediationOutcome> cooling = cooldownFrom(last.get());
      if (cooling.isPresent() || inspection == null) {
        return cooling;
      }
      return refusedBy(inspection.get());
    }
    Optional<RemediationOutcome> cooling = insideAnEarlierRunsCooldown();
    if (cooling.isPresent()) {
      return cooling;
    }
    return mayNotActOnTheTarget();
  }

  /**
   * The cooldown belongs to the problem, not to one run: when an earlier run (say one that
   * escalated and closed) acted on this problem less than the cooldown ago, this run does not act
   * again; it escalates with when that was.
   */
  private Optional<RemediationOutcome> insideAnEarlierRunsCooldown() {
    if (!serverPolicy) {
      return Optional.empty();
    }
    return cooldownFrom(
        (localReads ? localQuery : dispatch).lastAction(Workflow.getInfo().getWorkflowId()));
  }

  /** The escalation of a run inside the cooldown of {@code last}, the problem's last action. */
  private Optional<RemediationOutcome> cooldownFrom(ActionMark last) {
    if (last == null || last.runId().equals(Workflow.getInfo().getRunId())) {
      return Optional.empty();
    }
    long agoSeconds = (Workflow.currentTimeMillis() - last.atMillis()) / 1000;
    return Optional.of(
        escalate(
            "the automaton already acted on this problem "
                + agoSeconds
                + "s ago ("
                + last.action()
                + ", run "
                + last.runId()
                + "); inside the cooldown of "
                + policy.actionCooldownSeconds()
                + "s it does not act again"));
  }

  /**
   * The governor admits only runs that may act: before asking for a slot (or a human), a run on a
   * Deployment reads who else controls it. A Deployment that does not exist, lies outside the
   * allow-list, is scaled by an HPA or a KEDA ScaledObject (for a scale-out), or belongs to a
   * GitOps controller (which would revert any change) escalates with that reason instead.
   */
  private Optional<RemediationOutcome> mayNotActOnTheTarget() {
    String deployment = request.target().deployment();
    if (!serverPolicy || deployment.isEmpty()) {
      return Optional.empty();
    }
    return refusedBy(readK8s().inspectDeployment(request.target().namespace(), deployment));
  }

  /** Why the inspected Deployment may not be acted on, if anything stands in the way. */
  private Optional<RemediationOutcome> refusedBy(DeploymentInspection inspection) {
    String namespace = request.target().namespace();
    String deployment = request.target().deployment();
    String where = namespace + "/" + deployment;
    if (!inspection.inAllowList()) {
      return Optional.of(
          escalate(
              "namespace "
                  + namespace
                  + " is outside the allow-list (kubernetes.allowedNamespaces): opsflow may not"
                  + " change "
                  + where));
    }
    if (!inspection.exists()) {
      return Optional.of(escalate("Deployment " + where + " does not exist"));
    }
    if (request.procedure().equals("KafkaLagRemediation") && !inspection.scaledBy().isEmpty()) {
      return Optional.of(
          escalate(
              where
                  + " is "
                  + inspection.scaledBy()
                  + ": a scale by hand would be undone; raise its maximum instead"));
    }
    if (!inspection.ownedBy().isEmpty()) {
      return Optional.of(
          escalate(
              where
                  + " is "
                  + inspection.ownedBy()
                  + ": a change made here would be reverted; change it in Git"));
    }
    return Optional.empty();
  }

  /**
   * Like {@link #confirmAndAdmit}, for a check with three outcomes: UNKNOWN ("could not read") does
   * not act and tells a human; HEALTHY ends the run as not needed; UNHEALTHY goes ahead. Runs from
   * before {@link #SERVER_POLICY} read UNKNOWN as they did then (as healthy).
   */
  public Optional<RemediationOutcome> confirmAndAdmitCheck(
      Supplier<Check> check, String goneReason, String plan) {
    Check[] seen = new Check[1];
    Optional<RemediationOutcome> stop =
        confirmAndAdmit(
            () -> {
              seen[0] = check.get();
              return seen[0].unhealthy() || seen[0].unknown() && serverPolicy;
            },
            goneReason,
            plan,
            () ->
                seen[0] != null && seen[0].unknown()
                    ? Optional.of(
                        escalate(
                            "could not tell whether the problem holds, so nothing was done: "
                                + seen[0].reading()))
                    : Optional.empty());
    return stop;
  }

  /** Lets the change settle, then checks it with three outcomes (UNKNOWN escalates in callers). */
  public Check verifyCheck(Supplier<Check> fixed) {
    Check[] seen = new Check[1];
    boolean ok =
        verify(
            () -> {
              seen[0] = fixed.get();
              return seen[0].healthy() || seen[0].unknown() && !serverPolicy;
            });
    if (seen[0] == null) {
      return Check.unknown(run.detail());
    }
    return ok && !seen[0].unknown() ? Check.healthy(seen[0].reading()) : seen[0];
  }

  /** True for runs of the current kernel (not replays of histories from before it). */
  public boolean currentKernel() {
    return serverPolicy;
  }

  /** Waits for the approval the policy requires for this target, if any. */
  private Optional<RemediationOutcome> approval(String plan) {
    ApprovalPolicy policy = run.human().approvalFor(request.target().namespace());
    if (policy == null) {
      return Optional.empty();
    }
    ApprovalResult result =
        run.approval(Phase.WAITING_FOR_APPROVAL.name(), plan, policy, () -> resolved);
    return switch (result) {
      case APPROVED -> Optional.empty();
      case REJECTED -> Optional.of(close(Phase.REJECTED, run.approvalOutcome(result, plan)));
      case ESCALATE ->
          Optional.of(
              escalate("nobody approved '" + plan + "' within " + policy.timeoutSeconds() + "s"));
      case PENDING -> Optional.of(notNeeded("alert resolved while waiting for approval"));
    };
  }

  /** True once a resolved notice arrived. */
  public boolean resolved() {
    return resolved;
  }

  /**
   * Runs one action. Success and failure are recorded and counted; a failure (after the activity's
   * own retries) either asks a human (retry or fail) when the procedure's policy says so, or comes
   * back as empty at once, with its message in the status.
   *
   * @param describe turns the activity's result into the line recorded in the status
   */
  public <T> Optional<T> act(
      String action, String target, Supplier<T> call, Function<T, String> describe) {
    return attempt(action, target, call, describe, Optional.empty());
  }

  /**
   * Like {@link #act}, for a step a human may also skip: a skipped step returns {@code
   * whenSkipped}, and the procedure carries on.
   */
  public <T> Optional<T> actOrSkip(
      String action, String target, Supplier<T> call, Function<T, String> describe, T whenSkipped) {
    return attempt(action, target, call, describe, Optional.of(whenSkipped));
  }

  private <T> Optional<T> attempt(
      String action,
      String target,
      Supplier<T> call,
      Function<T, String> describe,
      Optional<T> whenSkipped) {
    if (serverPolicy) {
      // Remembered before acting, so a crash between the two still counts as an action.
      long now = Workflow.currentTimeMillis();
      run.lease()
          .recordAction(
              new ActionMark(
                  Workflow.getInfo().getWorkflowId(),
                  Workflow.getInfo().getRunId(),
                  action,
                  now,
                  now + policy.actionCooldownSeconds() * 1000));
    }
    return run.step(
        Phase.ACTING.name(),
        Phase.WAITING_FOR_DECISION.name(),
        action,
        target,
        call,
        describe,
        whenSkipped,
        () -> resolved);
  }

  /** Lets the change settle, then checks it worked. A failed check counts as not fixed. */
  public boolean verify(Supplier<Boolean> fixed) {
    enter(Phase.SETTLING, "waiting " + policy.settleSeconds() + "s before verifying");
    Workflow.sleep(Duration.ofSeconds(policy.settleSeconds()));
    enter(Phase.VERIFYING, "checking the problem is gone");
    boolean ok;
    try {
      ok = fixed.get();
    } catch (ActivityFailure e) {
      enter(
          Phase.VERIFYING, "verification could not read the state: " + EscalationLadder.reason(e));
      ok = false;
    }
    release();
    return ok;
  }

  /** Gives the governor's slot back, even when the workflow is being cancelled. */
  public void release() {
    run.lease().release();
  }

  /** Fixed and verified: counts the latency, closes any page, then holds the cooldown. */
  public RemediationOutcome fixed(String summary) {
    HealingMetrics.fixed(
        request.procedure(),
        Duration.ofMillis(Workflow.currentTimeMillis() - run.startedAtMillis()));
    run.ladder().resolve("fixed: " + summary);
    log.info(
        "Remediation {} of {} fixed: {}", request.procedure(), request.target().key(), summary);
    return afterFixed(summary);
  }

  private RemediationOutcome afterFixed(String summary) {
    if (cooldown(Phase.FIXED.name(), summary)) {
      return escalate(
          "the problem came back within the cooldown after it was fixed (" + summary + ")");
    }
    return close(Phase.FIXED, summary);
  }

  /**
   * For a run continued as new in the cooldown: the rest of the run, as the earlier run would have
   * gone on (nothing acts again); empty for every other run, which follows its runbook.
   */
  public Optional<RemediationOutcome> resumedCooldown() {
    if (!run.resumeAt().equals(CarriedRun.COOLDOWN)) {
      return Optional.empty();
    }
    if (ending.equals(Phase.FIXED.name())) {
      return Optional.of(afterFixed(endingWhy));
    }
    cooldown(Phase.ESCALATED.name(), endingWhy);
    return Optional.of(afterEscalated(endingWhy));
  }

  /** Nothing was done: the problem was gone before acting. */
  public RemediationOutcome notNeeded(String why) {
    release();
    return close(Phase.NOT_NEEDED, why);
  }

  /**
   * Hands over to a human along the procedure's escalation ladder (by default Slack at once, then
   * PagerDuty with the workflow ID as dedup key); a rung is skipped once the alert resolved or a
   * human acknowledged. Then holds the cooldown so the automaton does not try again meanwhile; an
   * alert that resolves meanwhile resolves the page.
   */
  public RemediationOutcome escalate(String why) {
    String reason = withFailedStepError(why);
    HealingMetrics.escalated(request.procedure(), run.phase());
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
    run.tellHumans(text, () -> resolved);
    log.warn(
        "Remediation {} escalated: {} [{}]", id, reason, String.join("; ", run.ladder().record()));
    if (actedAtMillis > 0) {
      cooldown(Phase.ESCALATED.name(), reason);
    }
    return afterEscalated(reason);
  }

  private RemediationOutcome afterEscalated(String reason) {
    if (resolved) {
      run.ladder().resolve("the alert resolved");
    }
    return close(Phase.ESCALATED, reason);
  }

  /**
   * An escalation right after a step failed says why it failed (the activity's error, which names
   * the system and the call: "the Kubernetes API server did not answer"), not only that it did.
   */
  private String withFailedStepError(String reason) {
    List<ActionRecord> steps = run.steps();
    if (steps.isEmpty()) {
      return reason;
    }
    ActionRecord last = steps.get(steps.size() - 1);
    return last.success() || reason.contains(last.detail())
        ? reason
        : reason + ": " + last.detail();
  }

  /** The run was cancelled: the kernel records who and why and cleans up. */
  public void cancelled() {
    run.cancelled(Phase.CANCELLED.name());
  }

  /**
   * The procedure threw something it did not handle (a NotFound while confirming, an empty pod
   * list, an unparsable quantity, an activity that timed out for good): the kernel tells humans why
   * and releases what the run holds, and the run ends FAILED with that reason, instead of a
   * workflow task that retries forever while the alert vanishes.
   */
  public RemediationOutcome failed(Throwable e) {
    String reason = run.failed(e);
    return close(Phase.FAILED, "failed in phase " + run.phase() + ": " + reason);
  }

  /**
   * Holds until the cooldown since the action ends; true if the problem recurred meanwhile. A run
   * whose history grows past the bound meanwhile continues as new with the same end of cooldown, to
   * end as {@code ending} ({@code why}) there.
   */
  private boolean cooldown(String ending, String why) {
    run.resumes(CarriedRun.COOLDOWN);
    long end = actedAtMillis + policy.actionCooldownSeconds() * 1000;
    long remaining = end - Workflow.currentTimeMillis();
    enter(Phase.COOLDOWN, "no new action on this problem until the cooldown ends");
    if (remaining > 0) {
      Workflow.await(Duration.ofMillis(remaining), () -> recurred || run.handOverDue());
      if (!recurred && run.handOverDue() && end > Workflow.currentTimeMillis()) {
        handOver(CarriedRun.COOLDOWN, ending, why);
      }
    }
    return recurred;
  }

  private RemediationOutcome close(Phase end, String why) {
    enter(end, why);
    return new RemediationOutcome(end, why, run.steps(), run.ladder().record());
  }

  private void enter(Phase next, String why) {
    run.enter(next.name(), why);
  }
}
