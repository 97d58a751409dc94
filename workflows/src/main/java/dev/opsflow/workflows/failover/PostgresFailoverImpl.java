package dev.opsflow.workflows.failover;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.EndpointsRequest;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.activities.kubernetes.RoleLabelRequest;
import dev.opsflow.activities.kubernetes.RoleLabels;
import dev.opsflow.activities.kubernetes.ServiceEndpoints;
import dev.opsflow.activities.kubernetes.ServiceRoutingActivities;
import dev.opsflow.activities.postgres.FailoverActivities;
import dev.opsflow.activities.postgres.FailoverActivitiesImpl;
import dev.opsflow.activities.postgres.FailoverCluster;
import dev.opsflow.activities.postgres.FailoverClusterActivities;
import dev.opsflow.activities.postgres.FailoverOptions;
import dev.opsflow.activities.postgres.FenceRequest;
import dev.opsflow.activities.postgres.FenceResult;
import dev.opsflow.activities.postgres.FinalPosition;
import dev.opsflow.activities.postgres.MemberProbe;
import dev.opsflow.activities.postgres.PromoteRequest;
import dev.opsflow.activities.postgres.PromotionResult;
import dev.opsflow.activities.postgres.ReplayProgress;
import dev.opsflow.activities.postgres.ReplayRequest;
import dev.opsflow.activities.postgres.ReplicationState;
import dev.opsflow.activities.postgres.WritableCheck;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.failover.TimelineEntry;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.kernel.ProcedureRun;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.kernel.SupervisedHandlers;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The PostgreSQL switchover/failover runbook on the procedure kernel: pre-checks, approval, fence,
 * final position, replay, promote, verify, repoint, notify. Every step lands in the timeline with
 * its time, LSN and who decided. Before the promotion the kernel's saga holds the unfence; the
 * promotion drops it, and from then on the run escalates instead of undoing anything.
 */
public class PostgresFailoverImpl extends SupervisedHandlers implements PostgresFailover {
  private static final Logger log = Workflow.getLogger(PostgresFailoverImpl.class);

  static final String RECEIVED = "RECEIVED";
  static final String PRECHECKING = "PRECHECKING";
  static final String CONFIRMING_DOWN = "CONFIRMING_DOWN";
  static final String WAITING_FOR_APPROVAL = "WAITING_FOR_APPROVAL";
  static final String FENCING = "FENCING";
  static final String WAITING_FOR_REPLAY = "WAITING_FOR_REPLAY";
  static final String WAITING_FOR_DECISION = "WAITING_FOR_DECISION";
  static final String PROMOTING = "PROMOTING";
  static final String VERIFYING = "VERIFYING";
  static final String REPOINTING = "REPOINTING";
  static final String FAILED = "FAILED";

  /** The change id under which a failed run enters {@link #FAILED} before it escalates. */
  static final String FAILED_SHOWN_FIRST = "failover-failed-shown-first";

  /**
   * The change id under which an unattended failover also needs a recent last known lag: the
   * primary's position behind it at most the confirmation window old when read.
   */
  static final String RECENT_LAG_RULE = "failover-recent-lag-rule";

  /** How long the Service's endpoints may take to name the new primary. */
  static final long ENDPOINTS_TIMEOUT_SECONDS = 60;

  private final FailoverClusterActivities clusters =
      Workflow.newActivityStub(FailoverClusterActivities.class, DispatchOptions.POLICY);
  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);

  // A down member is an answer, not a failure: one attempt per probe, the run counts them.
  private final FailoverActivities probes =
      Workflow.newActivityStub(FailoverActivities.class, FailoverOptions.PROBE_MEMBER);
  private final FailoverActivities reads =
      Workflow.newActivityStub(FailoverActivities.class, FailoverOptions.READ_REPLICATION);
  private final FailoverActivities fencing =
      Workflow.newActivityStub(FailoverActivities.class, FailoverOptions.FENCE_WRITES);
  private final FailoverActivities promoting =
      Workflow.newActivityStub(FailoverActivities.class, FailoverOptions.PROMOTE_REPLICA);

  private final ServiceRoutingActivities labels =
      Workflow.newActivityStub(ServiceRoutingActivities.class, KubernetesOptions.MUTATING_K8S);
  // The wait's own bound is the request's; start-to-close sits above it, a heartbeat notices a
  // dead worker.
  private final ServiceRoutingActivities endpoints =
      Workflow.newActivityStub(
          ServiceRoutingActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(ENDPOINTS_TIMEOUT_SECONDS + 30))
              .setHeartbeatTimeout(Duration.ofSeconds(10))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumAttempts(3)
                      .setDoNotRetry(
                          dev.opsflow.activities.kubernetes.ServiceRoutingActivitiesImpl
                              .ENDPOINTS_NOT_CONVERGED)
                      .build())
              .build());

  private final ProcedureRun run = new ProcedureRun(RECEIVED, (step, target, ok) -> {});
  private final List<TimelineEntry> timeline = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private FailoverRequest request;
  private FailoverCluster cluster;
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private long maximumLag;
  private long confirmationWindowSeconds;
  private long replayTimeoutSeconds;
  private String primary = "";
  private String candidate = "";
  private Long lagBytes;
  private Double lagSeconds;
  private String lagSource;
  private Double lagAgeSeconds;
  private Long dataLossBytes;
  private String finalLsn = "";
  private boolean promoted;
  private boolean formerPrimaryFenced;
  private Long unavailableSinceMillis;
  private Long writeUnavailableMillis;
  private FailoverOutcome outcome = FailoverOutcome.RUNNING;
  private String nextManualStep = "";

  @Override
  public FailoverStatus failover(FailoverRequest request) {
    validate(request);
    this.request = request;
    try {
      human = policies.serverPolicy().human(TYPE);
      run.begin(new ProcedureRun.Identity(TYPE, request.cluster(), request.run()), human);
      runbook();
    } catch (CanceledFailure e) {
      cancelled();
      throw e;
    } catch (RuntimeException e) {
      if (CancellationScope.current().isCancelRequested()) {
        cancelled();
        throw new CanceledFailure("cancelled while " + run.phase());
      }
      // Every failure ends in a decision: the saga undoes what it still may, humans hear why.
      // Since FAILED_SHOWN_FIRST the run shows FAILED while the escalation waits for a human
      // (before, status read RECEIVED/RUNNING, with no reason, until someone acknowledged).
      note("failed", "", "", "", false, Failures.reason(e));
      String reason =
          Workflow.getVersion(FAILED_SHOWN_FIRST, Workflow.DEFAULT_VERSION, 1) == 1
              ? run.failed(e, FAILED)
              : run.failed(e);
      afterPromotion();
      finish(FailoverOutcome.FAILED, FAILED, reason);
    }
    return status();
  }

  /** Refused before anything is read, naming the field. */
  private static void validate(FailoverRequest request) {
    if (request == null) {
      throw invalid("the request is required (cluster, mode)");
    }
    if (request.cluster() == null || request.cluster().isBlank()) {
      throw invalid("cluster is required: the cluster's name in failover.clusters");
    }
    if (request.mode() == null) {
      throw invalid("mode is required: SWITCHOVER (primary healthy) or FAILOVER (primary down)");
    }
    String id = Workflow.getInfo().getWorkflowId();
    // The ID never changes within a run, so a replay would find what the first execution found;
    // only offline replayers (saved histories) substitute a placeholder ID, hence the guard.
    if (!Workflow.isReplaying() && !id.equals(request.workflowId())) {
      throw invalid(
          "workflow ID must be "
              + request.workflowId()
              + " (got "
              + id
              + "), so two failovers of one cluster can never run at once");
    }
    if (request.candidate() != null && !request.candidate().matches("[a-z0-9]([-a-z0-9]*)?")) {
      throw invalid("candidate '" + request.candidate() + "' is not a member name");
    }
  }

  private static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
  }

  // ---- the runbook ----

  private void runbook() {
    cluster = clusters.cluster(request.cluster());
    tighten();
    if (!precheck()) {
      return;
    }
    if (request.mode() == FailoverMode.FAILOVER && !confirmDown()) {
      return;
    }
    if (!approved()) {
      return;
    }
    String target;
    if (request.mode() == FailoverMode.SWITCHOVER) {
      Optional<String> last = fence();
      if (last.isEmpty()) {
        return;
      }
      target = last.get();
    } else {
      target = receivedPosition();
    }
    if (target != null && !replayed(target)) {
      return;
    }
    if (!promote()) {
      return;
    }
    repoint();
  }

  /** The server's settings, tightened (never loosened) by the request's limits. */
  private void tighten() {
    maximumLag = cluster.maximumLagOnFailoverBytes();
    confirmationWindowSeconds = cluster.confirmationWindowSeconds();
    replayTimeoutSeconds = cluster.replayTimeoutSeconds();
    var limits = request.limits();
    if (limits.maximumLagOnFailoverBytes() != null) {
      if (limits.maximumLagOnFailoverBytes() <= maximumLag) {
        maximumLag = Math.max(0, limits.maximumLagOnFailoverBytes());
      } else {
        notes.add(
            "limits.maximumLagOnFailoverBytes "
                + limits.maximumLagOnFailoverBytes()
                + " is looser than the server's "
                + maximumLag
                + ": ignored");
      }
    }
    if (limits.confirmationWindowSeconds() != null) {
      if (limits.confirmationWindowSeconds() >= confirmationWindowSeconds) {
        confirmationWindowSeconds = limits.confirmationWindowSeconds();
      } else {
        notes.add(
            "limits.confirmationWindowSeconds "
                + limits.confirmationWindowSeconds()
                + " is shorter than the server's "
                + confirmationWindowSeconds
                + ": ignored");
      }
    }
    if (limits.replayTimeoutSeconds() != null) {
      if (limits.replayTimeoutSeconds() >= 1
          && limits.replayTimeoutSeconds() <= replayTimeoutSeconds) {
        replayTimeoutSeconds = limits.replayTimeoutSeconds();
      } else {
        notes.add(
            "limits.replayTimeoutSeconds "
                + limits.replayTimeoutSeconds()
                + " is not within 1.."
                + replayTimeoutSeconds
                + " (the server's): ignored");
      }
    }
    notes.forEach(n -> log.warn("Failover of {}: {}", request.cluster(), n));
  }

  /**
   * Step 1: which member is the primary, which replica to promote, and how far behind it is. A
   * finding that rules the request out escalates with nothing changed.
   */
  private boolean precheck() {
    run.enter(PRECHECKING, "probing " + cluster.memberNames());
    Map<String, MemberProbe> found = new LinkedHashMap<>();
    for (String member : cluster.memberNames()) {
      MemberProbe p = probes.probe(member);
      found.put(member, p);
      note("probe", member, p.up() ? position(p) : "", "", p.up(), describe(p));
    }
    List<String> writable =
        found.values().stream()
            .filter(p -> p.up() && Boolean.FALSE.equals(p.inRecovery()))
            .map(MemberProbe::member)
            .toList();
    List<String> down =
        found.values().stream().filter(p -> !p.up()).map(MemberProbe::member).toList();
    if (writable.size() > 1) {
      return unchanged("more than one member is out of recovery: " + writable + "; split brain?");
    }
    if (writable.size() == 1) {
      primary = writable.get(0);
    } else if (down.size() == 1) {
      primary = down.get(0);
    } else {
      return unchanged(
          "cannot tell which member is the primary: none is out of recovery and "
              + (down.isEmpty() ? "none" : down.size())
              + " are down");
    }
    if (request.mode() == FailoverMode.SWITCHOVER && !found.get(primary).up()) {
      return unchanged(
          "the primary "
              + primary
              + " is down ("
              + found.get(primary).reason()
              + "): a switchover needs a healthy primary; ask for mode FAILOVER");
    }
    Optional<ReplicationState> chosen = chooseCandidate(found);
    if (chosen.isEmpty()) {
      return false;
    }
    ReplicationState state = chosen.get();
    lagBytes = state.lagBytes();
    lagSeconds = state.lagSeconds();
    lagSource = state.lagSource();
    lagAgeSeconds = state.lagAgeSeconds();
    boolean fit =
        state.replicaInRecovery() && (request.mode() == FailoverMode.FAILOVER || state.streaming());
    note(
        "replication",
        candidate,
        state.replayLsn(),
        "",
        fit,
        "in recovery "
            + state.replicaInRecovery()
            + ", streaming "
            + state.streaming()
            + " (receiver "
            + state.receiverStatus()
            + ", sender "
            + state.senderState()
            + "), lag "
            + lagBytes
            + " bytes / "
            + lagSeconds
            + " s ("
            + lagOrigin()
            + "); primary "
            + primary
            + (state.primaryUp() ? " up at " + state.primaryFlushLsn() : " down"));
    if (!fit) {
      return unchanged(
          "the candidate "
              + candidate
              + " is not a streaming replica of "
              + primary
              + " (in recovery "
              + state.replicaInRecovery()
              + ", receiver "
              + state.receiverStatus()
              + ")");
    }
    return true;
  }

  /** The requested candidate, or the replica with the lowest lag. */
  private Optional<ReplicationState> chooseCandidate(Map<String, MemberProbe> found) {
    List<String> replicas =
        found.values().stream()
            .filter(p -> p.up() && Boolean.TRUE.equals(p.inRecovery()))
            .map(MemberProbe::member)
            .toList();
    if (request.candidate() != null) {
      if (!replicas.contains(request.candidate())) {
        unchanged(
            "candidate "
                + request.candidate()
                + " is not an up replica of the cluster (up replicas: "
                + replicas
                + ")");
        return Optional.empty();
      }
      candidate = request.candidate();
      return Optional.of(reads.replicationState(primary, candidate));
    }
    if (replicas.isEmpty()) {
      unchanged("no replica is up and in recovery: nothing to promote");
      return Optional.empty();
    }
    ReplicationState best = null;
    for (String replica : replicas) {
      ReplicationState state = reads.replicationState(primary, replica);
      if (best == null || behind(state) < behind(best)) {
        best = state;
      }
    }
    candidate = best.replica();
    return Optional.of(best);
  }

  /** How far behind a replica is: its lag when known, else how little it received. */
  private static long behind(ReplicationState state) {
    if (state.lagBytes() != null) {
      return state.lagBytes();
    }
    return Long.MAX_VALUE / 2 - Lsn.bytes(state.receiveLsn());
  }

  /**
   * Failover only: the primary must fail every probe spread over the confirmation window, so one
   * network blip never fails a cluster over.
   */
  private boolean confirmDown() {
    int count = cluster.confirmationProbes();
    long intervalMillis = confirmationWindowSeconds * 1000 / Math.max(1, count - 1);
    unavailableSinceMillis = firstFailedProbeMillis();
    run.enter(
        CONFIRMING_DOWN,
        "probe 1 of "
            + count
            + " failed; probing "
            + primary
            + " over "
            + confirmationWindowSeconds
            + "s");
    for (int i = 2; i <= count; i++) {
      Workflow.sleep(Duration.ofMillis(intervalMillis));
      MemberProbe p = probes.probe(primary);
      note(
          "confirm-down",
          primary,
          "",
          "",
          !p.up(),
          "probe " + i + " of " + count + ": " + describe(p));
      if (p.up()) {
        unavailableSinceMillis = null;
        return unchanged(
            "the primary "
                + primary
                + " answered probe "
                + i
                + " of "
                + count
                + ": it is not down, so no failover (a switchover is the planned way)");
      }
    }
    dataLossBytes = lagBytes;
    note(
        "confirm-down",
        primary,
        "",
        "",
        true,
        "down over "
            + confirmationWindowSeconds
            + "s ("
            + count
            + " failed probes); data loss: "
            + (lagBytes == null
                ? "unknown (no lag was read)"
                : lagBytes + " bytes (last known lag)"));
    return true;
  }

  private long firstFailedProbeMillis() {
    return timeline.stream()
        .filter(t -> t.step().equals("probe") && t.member().equals(primary) && !t.success())
        .mapToLong(TimelineEntry::atMillis)
        .findFirst()
        .orElse(Workflow.currentTimeMillis());
  }

  /**
   * Step 2: the kernel's gate, unless the server allows an unattended failover and this one is
   * within its rule: primary confirmed down, last known lag at most maximumLagOnFailover.
   */
  private boolean approved() {
    boolean callerAsked = request.run().human() != null && request.run().human().approval() != null;
    if (request.mode() == FailoverMode.FAILOVER
        && cluster.unattended()
        && !callerAsked
        && lagBytes != null
        && lagBytes <= maximumLag
        && lagIsRecent()) {
      note(
          "approval",
          candidate,
          "",
          RunEnvelope.AUTOMATON,
          true,
          "unattended (failover.unattended): primary confirmed down and last known lag "
              + lagBytes
              + " <= maximumLagOnFailover "
              + maximumLag
              + " ("
              + lagOrigin()
              + ")");
      return true;
    }
    ApprovalPolicy policy = human.approvalFor(cluster.namespace());
    if (policy == null) {
      return unchanged(
          "a failover needs approval, and procedures."
              + TYPE
              + ".approval names no approvers: configure it (approval is required by default)");
    }
    String plan = plan();
    ApprovalResult result =
        run.approval(WAITING_FOR_APPROVAL, plan, neverOnTimeout(policy), () -> false);
    String by = decider(result);
    note(
        "approval",
        candidate,
        "",
        by,
        result == ApprovalResult.APPROVED,
        run.approvalOutcome(result, plan));
    if (result == ApprovalResult.APPROVED) {
      return true;
    }
    if (result == ApprovalResult.REJECTED) {
      finish(FailoverOutcome.REJECTED, "REJECTED", "rejected by " + by + "; nothing was changed");
      return false;
    }
    return unchanged("nobody approved in time: " + plan);
  }

  /**
   * With the primary down, the last known lag is the primary's last report to the replica minus
   * what it replayed: it says nothing of WAL the primary wrote after that report. So an unattended
   * failover also needs the report to be recent when read, at most the confirmation window old
   * (runs from before {@link #RECENT_LAG_RULE} did without this).
   */
  private boolean lagIsRecent() {
    if (Workflow.getVersion(RECENT_LAG_RULE, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return true;
    }
    return lagAgeSeconds != null && lagAgeSeconds <= confirmationWindowSeconds;
  }

  /** Where the lag figure comes from, in the operator's words. */
  private String lagOrigin() {
    if (lagBytes == null) {
      return "lag unknown: the replica no longer knows the primary's position";
    }
    if (ReplicationState.FROM_RECEIVER.equals(lagSource)) {
      return "last known: the primary's position as it last reported it to "
          + candidate
          + ", "
          + lagAgeSeconds
          + " s before this reading";
    }
    return ReplicationState.FROM_PRIMARY.equals(lagSource)
        ? "read on both ends"
        : "source not recorded";
  }

  /** What the approvers read: mode, candidate, lag and the estimated data loss. */
  private String plan() {
    String loss =
        request.mode() == FailoverMode.SWITCHOVER
            ? "none (the primary is fenced and its final position replayed first)"
            : lagBytes == null
                ? "unknown (no lag could be read)"
                : lagBytes
                    + " bytes (last known lag"
                    + (lagBytes > maximumLag ? ", above maximumLagOnFailover " + maximumLag : "")
                    + (lagAgeSeconds != null && lagAgeSeconds > confirmationWindowSeconds
                        ? ", reported "
                            + lagAgeSeconds
                            + " s before it was read: older than the confirmation window, so the"
                            + " primary may have written more since"
                        : "")
                    + ")";
    return request.mode().name().toLowerCase()
        + " of cluster "
        + request.cluster()
        + ": promote "
        + candidate
        + " (lag "
        + lagBytes
        + " bytes / "
        + lagSeconds
        + " s) in place of "
        + primary
        + " ("
        + (request.mode() == FailoverMode.SWITCHOVER ? "up, to be fenced" : "confirmed down")
        + "); estimated data loss: "
        + loss;
  }

  /** A timeout never promotes: the policy's onTimeout "approve" becomes "escalate" here. */
  private ApprovalPolicy neverOnTimeout(ApprovalPolicy policy) {
    if (!ApprovalPolicy.APPROVE.equals(policy.onTimeout())) {
      return policy;
    }
    notes.add("approval onTimeout 'approve' is not followed by a failover: escalate instead");
    return new ApprovalPolicy(
        policy.approvers(),
        policy.required(),
        policy.fourEyes(),
        policy.timeoutSeconds(),
        ApprovalPolicy.ESCALATE);
  }

  private String decider(ApprovalResult result) {
    return run.decisions().stream()
        .filter(d -> d.ignoredBecause().isEmpty())
        .reduce((a, b) -> b)
        .map(d -> d.by())
        .orElse(result == ApprovalResult.ESCALATE ? "timeout" : "");
  }

  /**
   * Step 3 (switchover): fence the primary and take its final position. The unfence is registered
   * before the fence, so a fence that half happened before a crash is lifted too.
   *
   * @return the final position, or empty when the run rolled back
   */
  private Optional<String> fence() {
    run.compensation().register("unfence " + primary, () -> unfence(primary));
    unavailableSinceMillis = Workflow.currentTimeMillis();
    Optional<FenceResult> fenced =
        step(
            FENCING,
            "fence",
            primary,
            () -> fencing.fence(new FenceRequest(actionId(), primary, cluster.endWriteSessions())),
            r -> "",
            r ->
                (r.changed() ? "fenced" : "already fenced")
                    + ", sessions ended: "
                    + r.sessionsEnded());
    if (fenced.isEmpty()) {
      rollBack("fencing " + primary + " failed");
      return Optional.empty();
    }
    formerPrimaryFenced = true;
    Optional<FinalPosition> last =
        step(
            FENCING,
            "final-lsn",
            primary,
            () -> reads.finalLsn(actionId(), primary),
            FinalPosition::lsn,
            r -> "final WAL position " + r.lsn());
    if (last.isEmpty()) {
      rollBack("reading the final WAL position of " + primary + " failed");
      return Optional.empty();
    }
    finalLsn = last.get().lsn();
    return Optional.of(finalLsn);
  }

  /** Failover: the candidate replays all it received before it is promoted (null: unknown). */
  private String receivedPosition() {
    ReplicationState now = reads.replicationState(primary, candidate);
    note("received", candidate, now.receiveLsn(), "", true, "received up to " + now.receiveLsn());
    return now.receiveLsn();
  }

  /**
   * Step 4: wait, bounded, until the candidate replayed {@code target}. Past the bound a human
   * decides whether to promote anyway, shown the gap; no (or no answer) rolls back.
   */
  private boolean replayed(String target) {
    run.enter(
        WAITING_FOR_REPLAY,
        candidate + " replaying up to " + target + " (at most " + replayTimeoutSeconds + "s)");
    FailoverActivities replay =
        Workflow.newActivityStub(
            FailoverActivities.class, FailoverOptions.waitForReplay(replayTimeoutSeconds));
    try {
      ReplayProgress done =
          replay.waitForReplay(
              new ReplayRequest(actionId(), candidate, target, replayTimeoutSeconds));
      note(
          "replay",
          candidate,
          done.replayLsn(),
          "",
          true,
          "replayed " + target + " in " + done.waitedMillis() + " ms");
      run.record("replay", candidate, true, "replayed " + target);
      if (request.mode() == FailoverMode.SWITCHOVER) {
        dataLossBytes = 0L;
      }
      return true;
    } catch (ActivityFailure e) {
      stopIfCancelled();
      ApplicationFailure af = Failures.activityError(e);
      if (af == null || !FailoverActivitiesImpl.REPLAY_TIMEOUT.equals(af.getType())) {
        run.record("replay", candidate, false, Failures.reason(e));
        note("replay", candidate, "", "", false, Failures.reason(e));
        rollBack(
            "waiting for " + candidate + " to replay " + target + " failed: " + Failures.reason(e));
        return false;
      }
      ReplayProgress gap = af.getDetails().get(ReplayProgress.class);
      String behind =
          "not replayed within "
              + replayTimeoutSeconds
              + "s: replayed "
              + gap.replayLsn()
              + " of "
              + gap.targetLsn()
              + ", "
              + gap.gapBytes()
              + " bytes behind";
      run.record("replay", candidate, false, behind);
      note("replay", candidate, gap.replayLsn(), "", false, behind);
      RunMetrics.escalated(TYPE, WAITING_FOR_REPLAY);
      return promoteAnyway(gap, behind);
    }
  }

  /** The human question past the replay bound: promote anyway, losing the gap? */
  private boolean promoteAnyway(ReplayProgress gap, String behind) {
    ApprovalPolicy policy = human.approvalFor(cluster.namespace());
    if (policy == null) {
      rollBack(behind + "; nobody is configured to decide whether to promote anyway");
      return false;
    }
    String question =
        "promote "
            + candidate
            + " anyway? "
            + behind
            + " (LSN gap "
            + gap.gapBytes()
            + " bytes would be lost)";
    ApprovalPolicy ask =
        new ApprovalPolicy(
            policy.approvers(),
            policy.required(),
            policy.fourEyes(),
            policy.timeoutSeconds(),
            ApprovalPolicy.REJECT);
    ApprovalResult result = run.approval(WAITING_FOR_DECISION, question, ask, () -> false);
    String by = decider(result);
    note(
        "promote-anyway",
        candidate,
        gap.replayLsn(),
        by,
        result == ApprovalResult.APPROVED,
        run.approvalOutcome(result, question));
    if (result != ApprovalResult.APPROVED) {
      rollBack(behind + "; not promoted (" + run.approvalOutcome(result, question) + ")");
      return false;
    }
    dataLossBytes = gap.gapBytes();
    return true;
  }

  /**
   * Steps 5 and 6: the point of no return. The saga's unfence is dropped before the call: a
   * promotion that may have happened must never meet a writable old primary.
   */
  private boolean promote() {
    run.compensation().forgetAll("the promotion of " + candidate + " is never undone");
    Optional<PromotionResult> result =
        step(
            PROMOTING,
            "promote",
            candidate,
            () -> promoting.promote(new PromoteRequest(actionId(), candidate, primary)),
            PromotionResult::replayLsn,
            r -> (r.alreadyPrimary() ? "already primary" : "promoted") + " at " + r.replayLsn());
    if (result.isEmpty()) {
      nextManualStep =
          "check pg_is_in_recovery() on "
              + candidate
              + ": if false it is the primary, so set the role labels and repoint the Service;"
              + " else promote it by hand (SELECT pg_promote()). "
              + primary
              + " stays fenced until it is rebuilt as a replica (pg_rewind).";
      return escalated("the promotion of " + candidate + " did not complete; " + state());
    }
    promoted = true;
    Optional<WritableCheck> check =
        step(
            VERIFYING,
            "verify-writable",
            candidate,
            () -> reads.verifyWritable(candidate),
            r -> "",
            r ->
                r.writable()
                    ? "takes writes (transaction id " + r.transactionId() + ")"
                    : "does not take writes: " + r.reason());
    if (check.isEmpty() || !check.get().writable()) {
      afterPromotion();
      return escalated(
          candidate
              + " was promoted but does not take writes"
              + check.map(c -> ": " + c.reason()).orElse("")
              + "; "
              + state());
    }
    return true;
  }

  /** Step 6 and 7: role labels, the Service's endpoints, then the notice. */
  private void repoint() {
    List<String> others =
        cluster.memberNames().stream().filter(m -> !m.equals(candidate)).map(cluster::pod).toList();
    Optional<RoleLabels> labelled =
        step(
            REPOINTING,
            "set-role-labels",
            cluster.namespace(),
            () ->
                labels.setRoleLabels(
                    new RoleLabelRequest(
                        actionId(),
                        cluster.namespace(),
                        cluster.roleLabelKey(),
                        cluster.pod(candidate),
                        others)),
            r -> "",
            r -> "roles " + r.roles() + ", changed " + r.changed());
    if (labelled.isEmpty()) {
      afterPromotion();
      escalated("the role labels could not be set; " + state());
      return;
    }
    Optional<ServiceEndpoints> names =
        step(
            REPOINTING,
            "await-endpoints",
            cluster.service(),
            () ->
                endpoints.awaitEndpoints(
                    new EndpointsRequest(
                        cluster.namespace(),
                        cluster.service(),
                        cluster.pod(candidate),
                        ENDPOINTS_TIMEOUT_SECONDS)),
            r -> "",
            r -> "Service " + r.service() + " names " + r.readyPods());
    if (names.isEmpty()) {
      afterPromotion();
      escalated(
          "the Service "
              + cluster.service()
              + " does not name only "
              + cluster.pod(candidate)
              + "; "
              + state());
      return;
    }
    if (unavailableSinceMillis != null) {
      writeUnavailableMillis = Workflow.currentTimeMillis() - unavailableSinceMillis;
    }
    afterPromotion();
    String summary =
        "opsflow: "
            + request.mode().name().toLowerCase()
            + " of "
            + request.cluster()
            + " done: "
            + candidate
            + " is the primary, the Service "
            + cluster.service()
            + " names "
            + cluster.pod(candidate)
            + "; writes unavailable "
            + (writeUnavailableMillis == null ? "unknown" : writeUnavailableMillis + " ms")
            + ", data loss "
            + (dataLossBytes == null ? "unknown" : dataLossBytes + " bytes")
            + ". Next: "
            + nextManualStep
            + "\n"
            + timelineText();
    run.ladder().slack(summary, null);
    run.ladder().resolve("failover of " + request.cluster() + " completed");
    finish(
        FailoverOutcome.COMPLETED, "COMPLETED", candidate + " is the primary; " + nextManualStep);
  }

  // ---- the ways a run ends badly ----

  /** Nothing was changed, and a human must look: escalate with the finding. */
  private boolean unchanged(String why) {
    note("escalate", "", "", "", false, why + " (nothing was changed)");
    escalated(why + "; nothing was changed");
    return false;
  }

  /** Before the promotion: undo what the saga holds (the fence), then tell humans. */
  private void rollBack(String why) {
    stopIfCancelled();
    List<String> undone = run.compensation().run(why);
    String text =
        why
            + "; "
            + (undone.isEmpty() ? "nothing to undo" : String.join("; ", undone))
            + "; traffic left on "
            + primary;
    RunMetrics.escalated(TYPE, run.phase());
    run.tellHumans(
        "opsflow: " + TYPE + " of " + request.cluster() + " rolled back: " + text, () -> false);
    finish(FailoverOutcome.ROLLED_BACK, "ROLLED_BACK", text);
  }

  private boolean escalated(String why) {
    stopIfCancelled();
    RunMetrics.escalated(TYPE, run.phase());
    run.tellHumans(
        "opsflow: "
            + TYPE
            + " of "
            + request.cluster()
            + " needs a human: "
            + why
            + (nextManualStep.isEmpty() ? "" : ". Next: " + nextManualStep),
        () -> false);
    finish(FailoverOutcome.ESCALATED, "ESCALATED", why);
    return false;
  }

  /** After the promotion the old primary is never unfenced: its next step is a rebuild. */
  private void afterPromotion() {
    if (!promoted || !nextManualStep.isEmpty()) {
      return;
    }
    nextManualStep =
        "rebuild "
            + primary
            + " as a replica of "
            + candidate
            + " (stop it, pg_rewind --target-pgdata=<its data directory> --source-server='<"
            + candidate
            + "'s conninfo>', add standby.signal and primary_conninfo pointing at "
            + candidate
            + ", start it); "
            + primary
            + " stays fenced (default_transaction_read_only) until then";
  }

  private void cancelled() {
    run.cancelled("CANCELLED");
    afterPromotion();
    note(
        "cancelled",
        "",
        "",
        run.cancelledBy(),
        true,
        promoted
            ? "after the promotion: nothing undone, " + primary + " stays fenced"
            : "before the promotion: " + run.compensation().record());
    outcome = FailoverOutcome.CANCELLED;
    FailoverMetrics.ended(
        request.cluster(),
        request.mode(),
        outcome,
        Workflow.currentTimeMillis() - run.startedAtMillis(),
        writeUnavailableMillis);
  }

  private void finish(FailoverOutcome how, String phase, String why) {
    outcome = how;
    run.enter(phase, why);
    FailoverMetrics.ended(
        request.cluster(),
        request.mode(),
        how,
        Workflow.currentTimeMillis() - run.startedAtMillis(),
        writeUnavailableMillis);
    log.info("Failover of {} ended {}: {}", request.cluster(), how, why);
  }

  private void stopIfCancelled() {
    if (CancellationScope.current().isCancelRequested()) {
      throw new CanceledFailure("cancelled while " + run.phase());
    }
  }

  // ---- steps, timeline ----

  /** A kernel step, with its line in the timeline (and its LSN, where it has one). */
  private <T> Optional<T> step(
      String phase,
      String name,
      String member,
      Supplier<T> call,
      Function<T, String> lsn,
      Function<T, String> describe) {
    Optional<T> result =
        run.step(
            phase,
            WAITING_FOR_DECISION,
            name,
            member,
            call,
            describe,
            Optional.empty(),
            () -> false);
    if (result.isEmpty()) {
      stopIfCancelled();
      String error = run.steps().get(run.steps().size() - 1).detail();
      note(name, member, "", failedStepAnswerer(), false, error);
    } else {
      note(name, member, lsn.apply(result.get()), "", true, describe.apply(result.get()));
    }
    return result;
  }

  private String failedStepAnswerer() {
    return run.decisions().stream()
        .filter(d -> d.ignoredBecause().isEmpty())
        .reduce((a, b) -> b)
        .map(d -> d.by())
        .orElse("");
  }

  /** The saga's undo of the fence, with its line in the timeline. */
  private void unfence(String member) {
    try {
      FenceResult r = fencing.unfence(actionId(), member);
      formerPrimaryFenced = false;
      note("unfence", member, "", "", true, r.changed() ? "unfenced" : "was not fenced");
    } catch (ActivityFailure e) {
      note(
          "unfence",
          member,
          "",
          "",
          false,
          "unfence FAILED: " + Failures.reason(e) + "; " + member + " may still refuse writes");
      throw e;
    }
  }

  private void note(String step, String member, String lsn, String by, boolean ok, String detail) {
    timeline.add(
        new TimelineEntry(step, Workflow.currentTimeMillis(), member, lsn, by, ok, detail));
  }

  private String timelineText() {
    StringBuilder text = new StringBuilder();
    for (TimelineEntry t : timeline) {
      text.append(java.time.Instant.ofEpochMilli(t.atMillis()))
          .append(' ')
          .append(t.step())
          .append(t.member().isEmpty() ? "" : " " + t.member())
          .append(t.lsn().isEmpty() ? "" : " @" + t.lsn())
          .append(t.decidedBy().isEmpty() ? "" : " by " + t.decidedBy())
          .append(t.success() ? ": " : ": FAILED ")
          .append(t.detail())
          .append('\n');
    }
    return text.toString();
  }

  private String state() {
    return "state: "
        + candidate
        + (promoted ? " promoted" : " promotion unknown")
        + ", "
        + primary
        + (formerPrimaryFenced ? " fenced (kept fenced: split-brain guard)" : " not fenced (down)")
        + ", the Service "
        + (cluster == null ? "?" : cluster.service())
        + " not confirmed repointed";
  }

  private static String position(MemberProbe p) {
    return Boolean.TRUE.equals(p.inRecovery())
        ? (p.replayLsn() == null ? "" : p.replayLsn())
        : (p.flushLsn() == null ? "" : p.flushLsn());
  }

  private static String describe(MemberProbe p) {
    if (!p.up()) {
      return "down: " + p.reason();
    }
    if (Boolean.TRUE.equals(p.inRecovery())) {
      return "replica (in recovery)"; // read-only by recovery, whatever its fence says
    }
    return "primary" + (Boolean.TRUE.equals(p.fenced()) ? ", fenced" : "");
  }

  private static String actionId() {
    return Workflow.randomUUID().toString();
  }

  // ---- queries, signals, updates ----

  @Override
  public FailoverStatus status() {
    return new FailoverStatus(
        request == null ? "" : request.cluster(),
        request == null ? null : request.mode(),
        primary,
        candidate,
        run.phase(),
        // A run that failed is FAILED while its escalation still waits for an acknowledgement.
        outcome == FailoverOutcome.RUNNING && !run.failure().isEmpty()
            ? FailoverOutcome.FAILED
            : outcome,
        lagBytes,
        lagSeconds,
        dataLossBytes,
        finalLsn,
        promoted,
        formerPrimaryFenced,
        writeUnavailableMillis,
        timeline,
        notes,
        nextManualStep,
        run.failure());
  }

  /** The approve/reject/failed-step/acknowledge handlers are the kernel's, on this run. */
  @Override
  protected ProcedureRun supervised() {
    return run;
  }
}
