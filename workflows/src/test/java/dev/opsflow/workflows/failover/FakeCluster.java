package dev.opsflow.workflows.failover;

import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.EndpointsRequest;
import dev.opsflow.activities.kubernetes.RoleLabelRequest;
import dev.opsflow.activities.kubernetes.RoleLabels;
import dev.opsflow.activities.kubernetes.ServiceEndpoints;
import dev.opsflow.activities.kubernetes.ServiceRoutingActivities;
import dev.opsflow.activities.kubernetes.ServiceRoutingActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.postgres.ClusterMember;
import dev.opsflow.activities.postgres.FailoverActivities;
import dev.opsflow.activities.postgres.FailoverActivitiesImpl;
import dev.opsflow.activities.postgres.FailoverCluster;
import dev.opsflow.activities.postgres.FailoverClusterActivities;
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
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A two-member cluster "demo" in memory: demo-a the primary (pod demo-db-0), demo-b its streaming
 * replica (pod demo-db-1), the Service demo-db. Every call that reaches it is listed in {@link
 * #calls}, so tests assert what was done to which member. Knobs set the scenario.
 */
final class FakeCluster
    implements FailoverActivities,
        FailoverClusterActivities,
        ServiceRoutingActivities,
        PolicyActivities,
        NotificationActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> messages = new CopyOnWriteArrayList<>();

  volatile boolean primaryUp = true;

  /** Probes of the primary answered "up" after it was first found down (a network blip). */
  volatile int primaryAnswersAtProbe = -1;

  /**
   * The lag replicationState reports; null as the real activity reports it with the primary down.
   */
  volatile Long lagBytes = 4096L;

  /**
   * With the primary down: how old the primary's last report to the replica was when read (the age
   * of the last known lag).
   */
  volatile double lagAgeSeconds = 2.0;

  volatile boolean replayTimesOut;
  volatile boolean endpointsNeverConverge;
  volatile boolean unattended;
  volatile boolean askOnFailure;

  /** Who hears of a failed run, and when. */
  volatile List<EscalationStep> escalation = List.of(new EscalationStep(EscalationStep.SLACK, 0));

  private volatile int primaryProbes;
  volatile boolean fenced;
  volatile boolean promoted;

  // ---- the cluster's configuration and the server policy ----

  @Override
  public FailoverCluster cluster(String cluster) {
    if (!cluster.equals("demo")) {
      throw ApplicationFailure.newNonRetryableFailure(
          "cluster '" + cluster + "' is not in failover.clusters", "NotConfigured");
    }
    return new FailoverCluster(
        "demo",
        List.of(new ClusterMember("demo-a", "demo-db-0"), new ClusterMember("demo-b", "demo-db-1")),
        "db",
        "demo-db",
        "role",
        1024 * 1024,
        30,
        3,
        60,
        unattended,
        true);
  }

  @Override
  public HealingPolicy serverPolicy() {
    HumanPolicy failover =
        new HumanPolicy(
            new ApprovalPolicy(List.of("alice", "bob"), 1, true, 3600, ApprovalPolicy.ESCALATE),
            List.of(),
            escalation,
            askOnFailure,
            3600);
    return RemediationTestKit.policy()
        .withHumans(HumanPolicy.DEFAULT, Map.of("PostgresFailover", failover));
  }

  // ---- PostgreSQL ----

  @Override
  public MemberProbe probe(String member) {
    calls.add("probe " + member);
    if (member.equals("demo-a")) {
      int n = ++primaryProbes;
      boolean up = primaryUp || n == primaryAnswersAtProbe;
      return up
          ? new MemberProbe(member, true, false, fenced, "0/5000000", null, null, null)
          : new MemberProbe(member, false, null, null, null, null, null, "Connection refused");
    }
    return new MemberProbe(member, true, !promoted, false, null, "0/4FFF000", "0/4FFF000", null);
  }

  @Override
  public ReplicationState replicationState(String primary, String replica) {
    calls.add("replicationState " + primary + " " + replica);
    return new ReplicationState(
        primary,
        replica,
        primaryUp,
        true,
        primaryUp,
        primaryUp ? "streaming" : null,
        primaryUp ? "streaming" : "stopped",
        primaryUp ? "0/5000000" : null,
        "0/4FFF000",
        "0/4FFF000",
        lagBytes,
        0.5,
        primaryUp ? null : "Connection refused",
        lagBytes == null
            ? null
            : primaryUp ? ReplicationState.FROM_PRIMARY : ReplicationState.FROM_RECEIVER,
        lagBytes == null ? null : primaryUp ? 0.0 : lagAgeSeconds);
  }

  @Override
  public FenceResult fence(FenceRequest request) {
    calls.add("fence " + request.member());
    fenced = true;
    return new FenceResult(request.actionId(), request.member(), true, true, List.of(4242));
  }

  @Override
  public FenceResult unfence(String actionId, String member) {
    calls.add("unfence " + member);
    boolean was = fenced;
    fenced = false;
    return new FenceResult(actionId, member, false, was, List.of());
  }

  @Override
  public FinalPosition finalLsn(String actionId, String primary) {
    calls.add("finalLsn " + primary);
    return new FinalPosition(actionId, primary, "0/5000060");
  }

  @Override
  public ReplayProgress waitForReplay(ReplayRequest request) {
    calls.add("waitForReplay " + request.replica() + " " + request.lsn());
    if (replayTimesOut) {
      ReplayProgress behind =
          new ReplayProgress(request.replica(), request.lsn(), "0/4FFF000", 4192, 60_000);
      throw ApplicationFailure.newNonRetryableFailure(
          "replica " + request.replica() + " did not replay " + request.lsn() + " in time",
          FailoverActivitiesImpl.REPLAY_TIMEOUT,
          behind);
    }
    return new ReplayProgress(request.replica(), request.lsn(), request.lsn(), 0, 120);
  }

  @Override
  public PromotionResult promote(PromoteRequest request) {
    calls.add("promote " + request.candidate() + " (former " + request.formerPrimary() + ")");
    boolean already = promoted;
    promoted = true;
    return new PromotionResult(request.actionId(), request.candidate(), true, already, "0/5000060");
  }

  @Override
  public WritableCheck verifyWritable(String member) {
    calls.add("verifyWritable " + member);
    return new WritableCheck(member, true, false, false, 777L, null);
  }

  // ---- Kubernetes ----

  @Override
  public RoleLabels setRoleLabels(RoleLabelRequest request) {
    calls.add(
        "setRoleLabels primary=" + request.primaryPod() + " replicas=" + request.replicaPods());
    return new RoleLabels(
        request.actionId(),
        Map.of(request.primaryPod(), "primary", request.replicaPods().get(0), "replica"),
        List.of(request.primaryPod()));
  }

  @Override
  public ServiceEndpoints awaitEndpoints(EndpointsRequest request) {
    calls.add("awaitEndpoints " + request.service() + " " + request.pod());
    if (endpointsNeverConverge) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Service still names demo-db-0", ServiceRoutingActivitiesImpl.ENDPOINTS_NOT_CONVERGED);
    }
    return new ServiceEndpoints(
        request.namespace(), request.service(), List.of(request.pod()), List.of());
  }

  // ---- notifications ----

  @Override
  public SlackPosted postSlack(SlackMessage message) {
    messages.add(message.text());
    return new SlackPosted("C1", "1." + messages.size(), false);
  }

  @Override
  public SlackPosted updateSlack(SlackUpdate update) {
    return new SlackPosted(update.channel(), update.ts(), false);
  }

  @Override
  public PagerDutyResult pagerDuty(PagerDutyEvent event) {
    return new PagerDutyResult("success", "k");
  }

  @Override
  public WebhookDelivered webhook(WebhookEvent event) {
    return null;
  }

  /** The calls that changed something (fence, unfence, promote, labels), in order. */
  List<String> changes() {
    return calls.stream()
        .filter(
            c ->
                c.startsWith("fence")
                    || c.startsWith("unfence")
                    || c.startsWith("promote")
                    || c.startsWith("setRoleLabels"))
        .toList();
  }
}
