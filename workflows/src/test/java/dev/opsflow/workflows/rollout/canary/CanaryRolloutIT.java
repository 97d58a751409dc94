package dev.opsflow.workflows.rollout.canary;

import static dev.opsflow.workflows.rollout.canary.ShopCluster.CANARY;
import static dev.opsflow.workflows.rollout.canary.ShopCluster.CAPACITY;
import static dev.opsflow.workflows.rollout.canary.ShopCluster.NEW_IMAGE;
import static dev.opsflow.workflows.rollout.canary.ShopCluster.NS;
import static dev.opsflow.workflows.rollout.canary.ShopCluster.OLD_IMAGE;
import static dev.opsflow.workflows.rollout.canary.ShopCluster.STABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.metrics.MetricsActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.activities.notify.WebhookDelivered;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.rollout.CanaryPair;
import dev.opsflow.activities.rollout.ReleaseActivitiesImpl;
import dev.opsflow.activities.rollout.ReplicaRatioRouter;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.activities.rollout.TrafficRouterActivitiesImpl;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.CanaryRequest;
import dev.opsflow.contracts.rollout.CanaryRollout;
import dev.opsflow.contracts.rollout.CanaryStep;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canary runbook end to end with time skipping: the real release activities and replica-ratio
 * router against fabric8's CRUD mock API server ({@link ShopCluster}), the real metrics activity
 * against a small Prometheus HTTP API ({@link ScriptedPrometheus}). Each test asserts what the
 * cluster holds afterwards (images, replicas) and what the run reports. Saves the main paths'
 * histories when recording is asked for (-Dopsflow.recordHistories=true).
 */
class CanaryRolloutIT {
  static final String QUEUE = "canary-test";
  static final RolloutTarget WEB = new RolloutTarget(NS, STABLE, STABLE, null, NEW_IMAGE);

  /** Two measurements 30 s apart per pause: the canary's error rate below 1%. */
  static final AnalysisTemplate ERROR_RATE =
      new AnalysisTemplate("http", List.of(BuiltInChecks.errorRateBelow(0.01).every(30, 2)));

  static final List<CanaryStep> FOUR_STEPS =
      List.of(
          new CanaryStep(5, Duration.ofMinutes(1)),
          new CanaryStep(25, Duration.ofMinutes(1)),
          new CanaryStep(50, Duration.ofMinutes(1)),
          new CanaryStep(100, Duration.ZERO));

  private ShopCluster cluster;
  private ScriptedPrometheus prometheus;
  private CanaryPair pair;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final List<String> slack = new CopyOnWriteArrayList<>();
  private volatile List<String> approvers = List.of();

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ShopCluster();
    prometheus = new ScriptedPrometheus(cluster);
    NamespaceAllowList allowed = new NamespaceAllowList(List.of(NS));
    HardLimits limits = new HardLimits(50, "8Gi");
    pair =
        new CanaryPair(
            cluster.client,
            new KubernetesActivitiesImpl(cluster.client, allowed, limits),
            allowed,
            limits);
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowCatalog.OPTIONS, CanaryRolloutImpl.class);
    worker.registerActivitiesImplementations(
        new ReleaseActivitiesImpl(pair, new RolloutSettings(3600, 30, 3600, false), 60),
        new TrafficRouterActivitiesImpl(List.of(new ReplicaRatioRouter(pair, 60))),
        new MetricsActivitiesImpl(
            HttpClient.newHttpClient(), prometheus.url(), Duration.ofSeconds(5)),
        new Notifications(),
        new Policies());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
    prometheus.close();
    cluster.close();
  }

  // ---- the paths ----

  @Test
  void fourStepsWithPassingAnalysisEndWithTheStableOnTheNewImageAndTheCanaryAtZero() {
    start(request(FOUR_STEPS, null, null));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(cluster.image(CANARY)).isEqualTo(NEW_IMAGE);
    // Measured at 5%, 25%, 50% of 20 pods: 1, 5 and 10 canary pods, in that order.
    assertThat(prometheus.canaryReplicasMeasured()).containsExactly(1, 5, 10);
    assertThat(weights(done)).containsSubsequence(5, 25, 50, 100, 0);
    assertThat(done.step()).isEqualTo(4);
    assertThat(done.rollbackMillis()).isNull();
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("promoted", NEW_IMAGE));
    // Each pause ended after its analysis without a failed workflow task: a pause over before its
    // last measurement once looped without yielding until the deadlock detector failed the task.
    assertThat(client.fetchHistory(WEB.workflowId()).getEvents())
        .extracting(HistoryEvent::getEventType)
        .doesNotContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    save("promoted");
  }

  @Test
  void failingAnalysisAtStepTwoRollsBackTheClusterAndReportsTheRollbackTime() {
    prometheus.script = (version, canaryPods) -> canaryPods == 5 ? 0.2 : 0.001;
    start(request(FOUR_STEPS, Duration.ZERO, null));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("analysis failed at step 2");
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(done.canaryWeight()).isZero();
    assertThat(done.stableWeight()).isEqualTo(100);
    assertThat(done.rollbackMillis()).isNotNull().isNotNegative();
    assertThat(prometheus.canaryReplicasMeasured()).containsExactly(1, 5);
    assertThat(steps(done))
        .containsSubsequence("rollback", "restore-stable", "weight", "scale-down");
    assertThat(slack)
        .anySatisfy(m -> assertThat(m).contains("rolled back", "error-rate", "failed", "[0.2]"));
    save("failed-analysis-rolled-back");
  }

  @Test
  void noDataIsInconclusiveAndWaitsForAHumanThenPromoteGoesOn() {
    prometheus.script = (version, canaryPods) -> canaryPods == 1 ? null : 0.001;
    start(request(FOUR_STEPS, null, null));
    RolloutStatus waiting = waitFor(s -> s.phase() == RolloutPhase.INCONCLUSIVE);

    assertThat(waiting.waitingFor()).contains("promote or abort");
    assertThat(waiting.step()).isEqualTo(1);
    assertThat(cluster.replicas(CANARY)).isEqualTo(1);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY - 1);
    env.sleep(Duration.ofMinutes(30)); // never a pass: it stays where it is, however long
    assertThat(running().status().phase()).isEqualTo(RolloutPhase.INCONCLUSIVE);
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("inconclusive", "promote or abort"));

    running().promoteChecked(new Decision("alice", "looked at the logs"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(done.timeline())
        .anySatisfy(
            e -> {
              assertThat(e.step()).isEqualTo("promote");
              assertThat(e.decidedBy()).isEqualTo("alice");
            });
    save("inconclusive-promoted");
  }

  @Test
  void noDataIsInconclusiveThenAbortRollsBack() {
    prometheus.script = (version, canaryPods) -> version.equals("canary") ? Double.NaN : 0.001;
    start(request(FOUR_STEPS, Duration.ZERO, null));
    waitFor(s -> s.phase() == RolloutPhase.INCONCLUSIVE);

    running().abortChecked(new Decision("bob", "no traffic, no canary"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).isEqualTo("aborted by bob");
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(done.rollbackMillis()).isNotNull();
    save("inconclusive-aborted");
  }

  @Test
  void pauseResumePromoteAndPromoteFullSteerTheStepsAndRefuseWhatWouldNotCount() {
    List<CanaryStep> steps =
        List.of(
            new CanaryStep(10, Duration.ofMinutes(10)),
            new CanaryStep(50, null),
            new CanaryStep(100, Duration.ZERO));
    start(request(steps, null, null));
    RolloutStatus analysing = waitFor(s -> s.phase() == RolloutPhase.ANALYSING);
    assertThat(analysing.step()).isEqualTo(1);
    assertThat(refusal(() -> running().resumeChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOTHING_PENDING);
    assertThat(refusal(() -> running().promoteChecked(new Decision(" ", null))))
        .isEqualTo(Refusal.WHO_REQUIRED);
    assertThat(refusal(() -> running().retryChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOTHING_PENDING);

    assertThat(running().pauseChecked(new Decision("alice", "checking")).pausedBy())
        .isEqualTo("alice");
    assertThat(refusal(() -> running().pauseChecked(new Decision("bob", null))))
        .isEqualTo(Refusal.ALREADY_DECIDED);
    env.sleep(Duration.ofMinutes(20)); // past the 10 min pause: held by the operator
    RolloutStatus held = running().status();
    assertThat(held.phase()).isEqualTo(RolloutPhase.PAUSED);
    assertThat(held.step()).isEqualTo(1);
    assertThat(held.waitingFor()).contains("resume", "alice");
    assertThat(cluster.replicas(CANARY)).isEqualTo(2);

    running().resumeChecked(new Decision("alice", null));
    RolloutStatus indefinite = waitFor(s -> s.step() == 2 && s.phase() == RolloutPhase.PAUSED);
    assertThat(indefinite.waitingFor()).contains("promote");
    assertThat(cluster.replicas(CANARY)).isEqualTo(10);
    assertThat(refusal(() -> running().resumeChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOTHING_PENDING);
    env.sleep(
        Duration.ofHours(6)); // an indefinite pause waits for days; the deadline's clock stops
    assertThat(running().status().phase()).isEqualTo(RolloutPhase.PAUSED);

    running().promoteFullChecked(new Decision("carol", "ship it"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    // An ended run takes no Update at all: the server refuses it before any validator runs.
    assertThat(catchThrowable(() -> running().abortChecked(new Decision("bob", null)))).isNotNull();
    assertThat(done.timeline())
        .extracting(RolloutEvent::step, RolloutEvent::decidedBy)
        .contains(
            org.assertj.core.groups.Tuple.tuple("pause", "alice"),
            org.assertj.core.groups.Tuple.tuple("resume", "alice"),
            org.assertj.core.groups.Tuple.tuple("promoteFull", "carol"));
    save("paused-resumed-promoted-full");
  }

  @Test
  void theApproverIsAskedBeforeTheStartAndBeforeOneHundredAndARejectionThereRollsBack() {
    approvers = List.of("alice", "carol");
    CanaryRequest asked =
        new CanaryRequest(
            WEB,
            FOUR_STEPS,
            ERROR_RATE,
            null,
            null,
            true,
            null,
            Duration.ZERO,
            new RunEnvelope("medium", null, "carol", null));
    start(asked);
    RolloutStatus gate = waitFor(s -> s.phase() == RolloutPhase.AWAITING_APPROVAL);
    assertThat(gate.waitingFor()).contains("approval", "start the canary");
    assertThat(cluster.replicas(CANARY)).as("nothing before the approval").isEqualTo(-1);
    assertThat(refusal(() -> running().approveChecked(new Decision("carol", "mine"))))
        .isEqualTo(Refusal.FOUR_EYES);
    assertThat(refusal(() -> running().promoteChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOT_A_CHOICE);
    running().approveChecked(new Decision("alice", "go"));

    RolloutStatus full = waitFor(s -> s.phase() == RolloutPhase.AWAITING_APPROVAL && s.step() == 4);
    assertThat(full.waitingFor()).contains("100%");
    assertThat(cluster.replicas(CANARY)).as("still at 50%").isEqualTo(10);
    running().rejectChecked(new Decision("alice", "not today"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("Rejected by alice");
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    save("approved-then-rejected-before-full");
  }

  @Test
  void aPassedProgressDeadlineRollsBack() {
    start(request(FOUR_STEPS, Duration.ZERO, Duration.ofSeconds(90)));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("progress deadline", "step 2");
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(CANARY)).isZero();
    save("progress-deadline-rolled-back");
  }

  @Test
  void anAbortedCanaryWaitsForRetryWhichStartsAgainFromStepOne() {
    start(request(FOUR_STEPS, Duration.ofMinutes(30), null));
    waitFor(s -> s.phase() == RolloutPhase.ANALYSING && s.step() == 2);
    running().abortChecked(new Decision("bob", "wrong build"));
    RolloutStatus aborted = waitFor(s -> s.phase() == RolloutPhase.ABORTED);
    assertThat(aborted.waitingFor()).contains("retry");
    assertThat(refusal(() -> running().abortChecked(new Decision("bob", null))))
        .isEqualTo(Refusal.ALREADY_DECIDED);
    waitFor(s -> s.timeline().stream().anyMatch(e -> e.step().equals("scale-down")));
    assertThat(cluster.replicas(CANARY)).isZero();
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    prometheus.queries.clear();

    running().retryChecked(new Decision("bob", "fixed"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(prometheus.canaryReplicasMeasured()).containsExactly(1, 5, 10);
    assertThat(steps(done)).containsSubsequence("abort", "rollback", "retry", "promote-stable");
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    save("aborted-retried-promoted");
  }

  @Test
  void aSecondRolloutOfTheSameDeploymentIsRefusedByItsWorkflowId() {
    start(request(FOUR_STEPS, null, null));
    waitFor(s -> s.phase() == RolloutPhase.ANALYSING);

    CanaryRollout second =
        client.newWorkflowStub(
            CanaryRollout.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId(WEB.workflowId())
                .build());
    assertThatThrownBy(() -> WorkflowClient.start(second::rollout, request(FOUR_STEPS, null, null)))
        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
    running().abortChecked(new Decision("bob", "cleanup"));
  }

  @Test
  void badInputIsRefusedNamingTheFieldBeforeAnythingChanges() {
    CanaryRequest bad =
        new CanaryRequest(
            WEB,
            List.of(new CanaryStep(50, Duration.ZERO), new CanaryStep(40, Duration.ZERO)),
            ERROR_RATE,
            null,
            null,
            false,
            null,
            null,
            null);
    start(bad);
    Throwable failed = catchThrowable(this::result);
    assertThat(failed).isInstanceOf(WorkflowFailedException.class);
    assertThat(rootMessage(failed))
        .contains(
            "steps[1].weight: 40 does not rise", "the last step must give the new version 100");

    CanaryRollout misnamed =
        client.newWorkflowStub(
            CanaryRollout.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("my-canary").build());
    WorkflowClient.start(misnamed::rollout, request(FOUR_STEPS, null, null));
    Throwable refused =
        catchThrowable(() -> WorkflowStub.fromTyped(misnamed).getResult(RolloutStatus.class));
    assertThat(rootMessage(refused)).contains("workflow ID must be rollout-shop.web");
    assertThat(cluster.replicas(CANARY)).isEqualTo(-1);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
  }

  // ---- helpers ----

  private static CanaryRequest request(
      List<CanaryStep> steps, Duration retryWindow, Duration progressDeadline) {
    return new CanaryRequest(
        WEB,
        steps,
        ERROR_RATE,
        null,
        progressDeadline,
        false,
        null,
        retryWindow,
        new RunEnvelope("medium", null, "carol", null));
  }

  private void start(CanaryRequest request) {
    CanaryRollout stub =
        client.newWorkflowStub(
            CanaryRollout.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId(request.target().workflowId())
                .build());
    WorkflowClient.start(stub::rollout, request);
  }

  private CanaryRollout running() {
    return client.newWorkflowStub(CanaryRollout.class, WEB.workflowId());
  }

  private RolloutStatus result() {
    return WorkflowStub.fromTyped(running()).getResult(RolloutStatus.class);
  }

  /** Skips time until the status satisfies {@code until} (at most about an hour of it). */
  private RolloutStatus waitFor(Predicate<RolloutStatus> until) {
    for (int i = 0; i < 3600; i++) {
      RolloutStatus status = running().status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + running().status());
  }

  /** The refusal type of what {@code call} threw ("" when it did not throw a refusal). */
  private static String refusal(Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).as("refused").isNotNull();
    return Refusal.typeOf(thrown);
  }

  private static String rootMessage(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append(" | ");
    }
    return all.toString();
  }

  private static List<Integer> weights(RolloutStatus status) {
    return status.timeline().stream()
        .filter(e -> e.step().equals("weight"))
        .map(RolloutEvent::canaryWeight)
        .toList();
  }

  private static List<String> steps(RolloutStatus status) {
    return status.timeline().stream().map(RolloutEvent::step).toList();
  }

  private void save(String scenario) {
    RecordHistories.saveIfRecording(client, "rollout", scenario, WEB.workflowId());
  }

  /** Slack as the kernel's ladder reaches it: every message's text, in order. */
  private final class Notifications implements NotificationActivities {
    @Override
    public SlackPosted postSlack(SlackMessage message) {
      slack.add(message.text());
      return new SlackPosted("C1", "1." + slack.size(), false);
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
      return new WebhookDelivered(200);
    }
  }

  /** The server's policy: no approval for canaries unless a test sets {@link #approvers}. */
  private final class Policies implements PolicyActivities {
    @Override
    public HealingPolicy serverPolicy() {
      Map<String, HumanPolicy> humans =
          approvers.isEmpty()
              ? Map.of()
              : Map.of(
                  CanaryRollout.TYPE,
                  new HumanPolicy(
                      new ApprovalPolicy(approvers, 1, true, 3600, ApprovalPolicy.REJECT),
                      List.of(),
                      HumanPolicy.DEFAULT.escalation(),
                      false,
                      3600));
      return RemediationTestKit.policy().withHumans(HumanPolicy.DEFAULT, humans);
    }
  }
}
