package dev.opsflow.workflows.rollout.bluegreen;

import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.CAPACITY;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.NEW_IMAGE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.NS;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.OLD_IMAGE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.PREVIEW;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.PREVIEW_SERVICE;
import static dev.opsflow.workflows.rollout.bluegreen.ColourCluster.STABLE;
import static org.assertj.core.api.Assertions.assertThat;
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
import dev.opsflow.activities.rollout.BlueGreenActivitiesImpl;
import dev.opsflow.activities.rollout.CanaryPair;
import dev.opsflow.activities.rollout.ReleaseActivitiesImpl;
import dev.opsflow.activities.rollout.RolloutSettings;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BlueGreenDeployment;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.RolloutEvent;
import dev.opsflow.contracts.rollout.RolloutPhase;
import dev.opsflow.contracts.rollout.RolloutStatus;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowClient;
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
 * The blue-green runbook end to end with time skipping: the real blue-green and Service activities
 * against fabric8's CRUD mock API server ({@link ColourCluster}), the real metrics activity against
 * a small Prometheus HTTP API ({@link ColourPrometheus}). Each test asserts what the cluster holds
 * afterwards (images, replicas, both Services' selectors) and what the run reports. Saves the main
 * paths' histories when recording is asked for (-Dopsflow.recordHistories=true).
 */
class BlueGreenDeploymentIT {
  static final String QUEUE = "bluegreen-test";
  static final RolloutTarget WEB = new RolloutTarget(NS, STABLE, STABLE, null, NEW_IMAGE);
  static final Map<String, String> ACTIVE_PODS = Map.of("app", STABLE);
  static final Map<String, String> PREVIEW_PODS =
      Map.of(BlueGreenActivitiesImpl.PREVIEW_OF, STABLE, BlueGreenActivitiesImpl.COLOUR, "preview");

  /** Two measurements 10 s apart: the preview's error rate below 1%. */
  static final AnalysisTemplate ERROR_RATE =
      new AnalysisTemplate("http", List.of(BuiltInChecks.errorRateBelow(0.01).every(10, 2)));

  private ColourCluster cluster;
  private ColourPrometheus prometheus;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final List<String> slack = new CopyOnWriteArrayList<>();
  private volatile List<String> approvers = List.of();

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ColourCluster();
    prometheus = new ColourPrometheus(cluster);
    NamespaceAllowList allowed = new NamespaceAllowList(List.of(NS));
    HardLimits limits = new HardLimits(50, "8Gi");
    KubernetesActivitiesImpl kubernetes =
        new KubernetesActivitiesImpl(cluster.client, allowed, limits);
    CanaryPair pair = new CanaryPair(cluster.client, kubernetes, allowed, limits);
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(
        WorkflowCatalog.OPTIONS, BlueGreenDeploymentImpl.class);
    worker.registerActivitiesImplementations(
        new ReleaseActivitiesImpl(pair, new RolloutSettings(3600, 30, 3600, false), 60),
        new BlueGreenActivitiesImpl(pair, 60),
        kubernetes,
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

  @Test
  void passingPreAnalysisSwitchesKeepsTheOldColourForTheWindowThenScalesThePreviewDown() {
    start(request(Duration.ZERO));
    RolloutStatus window = waitFor(s -> s.step() == 4 && s.phase() == RolloutPhase.ANALYSING);

    // Inside the window: the active Service selects the preview, the old colour keeps its pods.
    assertThat(cluster.selector(STABLE)).isEqualTo(PREVIEW_PODS);
    assertThat(cluster.selector(PREVIEW_SERVICE)).isEqualTo(PREVIEW_PODS);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(PREVIEW)).isEqualTo(CAPACITY);
    assertThat(cluster.image(PREVIEW)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.podLabels(PREVIEW))
        .containsAllEntriesOf(PREVIEW_PODS)
        .doesNotContainKey("app");
    assertThat(window.canaryWeight()).isEqualTo(100);

    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(prometheus.measuredPreview(false)).as("pre-promotion analysis").isTrue();
    assertThat(prometheus.measuredPreview(true)).as("post-promotion analysis").isTrue();
    assertThat(steps(done))
        .containsSubsequence(
            "deploy", "analysis", "switch", "analysis", "promote-active", "switch", "scale-down");
    // Each analysis first measures one interval (10 s) after it starts, when the preview's traffic
    // has come in: the pre-promotion one's two measurements end 20 s after the preview was up.
    assertThat(at(done, "analysis") - at(done, "deploy")).isGreaterThanOrEqualTo(20_000);
    // The window lasted the scale-down delay (30 s) from the switch to the durable promotion.
    assertThat(at(done, "promote-active") - at(done, "switch")).isGreaterThanOrEqualTo(30_000);
    assertThat(done.rollbackMillis()).isNull();
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("promoted", NEW_IMAGE));
    save("bluegreen-promoted");
  }

  @Test
  void failingPreAnalysisScalesThePreviewDownAndNeverSwitches() {
    prometheus.script = (colour, switched) -> colour.equals("preview") ? 0.2 : 0.001;
    start(request(Duration.ZERO));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("pre-promotion analysis failed");
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(prometheus.queries).noneMatch(ColourPrometheus.Query::switched);
    assertThat(steps(done)).doesNotContain("switch").contains("rollback", "scale-down");
    assertThat(done.rollbackMillis()).isNull();
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("rolled back", "never switched"));
    save("bluegreen-pre-analysis-failed");
  }

  @Test
  void failingPostAnalysisInsideTheWindowSwitchesBackAtOnceAndReportsTheRollbackTime() {
    prometheus.script = (colour, switched) -> colour.equals("preview") && switched ? 0.2 : 0.001;
    start(request(Duration.ZERO));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("post-promotion analysis failed");
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(done.canaryWeight()).isZero();
    assertThat(done.rollbackMillis()).isNotNull().isNotNegative().isLessThan(30_000L);
    // Switched back on the first failed measurement, long before the 30 s window ended.
    assertThat(at(done, "rollback") - at(done, "switch")).isLessThan(30_000);
    assertThat(steps(done)).containsSubsequence("switch", "rollback", "switch", "scale-down");
    assertThat(slack)
        .anySatisfy(m -> assertThat(m).contains("rolled back", "switched back", "[0.2]"));
    save("bluegreen-post-analysis-switched-back");
  }

  @Test
  void abortInsideTheWindowSwitchesBackAndOtherControlsAreRefusedWithTheReason() {
    start(request(Duration.ZERO));
    waitFor(s -> s.step() == 4 && s.phase() == RolloutPhase.ANALYSING);
    assertThat(refusal(() -> running().resumeChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOTHING_PENDING);
    assertThat(refusal(() -> running().abortChecked(new Decision(" ", null))))
        .isEqualTo(Refusal.WHO_REQUIRED);

    running().abortChecked(new Decision("alice", "checkout errors in the logs"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).isEqualTo("aborted by alice");
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(done.rollbackMillis()).isNotNull().isNotNegative();
    assertThat(done.timeline())
        .anySatisfy(
            e -> {
              assertThat(e.step()).isEqualTo("rollback");
              assertThat(e.decidedBy()).isEqualTo("alice");
            });
    save("bluegreen-aborted-in-window");
  }

  @Test
  void noDataBeforeTheSwitchIsInconclusiveAndWaitsForAHumanNeverSwitchingThenPromoteGoesOn() {
    prometheus.script = (colour, switched) -> colour.equals("preview") && !switched ? null : 0.001;
    start(request(Duration.ZERO));
    RolloutStatus waiting = waitFor(s -> s.phase() == RolloutPhase.INCONCLUSIVE);

    assertThat(waiting.step()).isEqualTo(2);
    assertThat(waiting.waitingFor()).contains("promote or abort", "pre-promotion");
    env.sleep(Duration.ofMinutes(30)); // never a pass: it stays where it is, however long
    assertThat(running().status().phase()).isEqualTo(RolloutPhase.INCONCLUSIVE);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(slack).anySatisfy(m -> assertThat(m).contains("inconclusive", "promote or abort"));

    running().promoteChecked(new Decision("alice", "the preview has no traffic yet"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(done.timeline())
        .anySatisfy(
            e -> {
              assertThat(e.step()).isEqualTo("promote");
              assertThat(e.decidedBy()).isEqualTo("alice");
            });
  }

  @Test
  void anApprovalBeforeTheSwitchHoldsTheActiveServiceUntilAnotherPersonApproves() {
    approvers = List.of("alice", "carol");
    start(request(Duration.ZERO));
    RolloutStatus gate = waitFor(s -> s.phase() == RolloutPhase.AWAITING_APPROVAL);

    assertThat(gate.step()).isEqualTo(2);
    assertThat(gate.waitingFor()).contains("approval", "switch Service " + STABLE);
    assertThat(prometheus.measuredPreview(false)).as("analysed before the gate").isTrue();
    env.sleep(Duration.ofMinutes(30)); // nothing switches while the approval waits
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.replicas(PREVIEW)).isEqualTo(CAPACITY);
    assertThat(refusal(() -> running().approveChecked(new Decision("carol", "mine"))))
        .isEqualTo(Refusal.FOUR_EYES);
    assertThat(refusal(() -> running().approveChecked(new Decision("mallory", null))))
        .isEqualTo(Refusal.NOT_AN_APPROVER);
    assertThat(refusal(() -> running().promoteChecked(new Decision("alice", null))))
        .isEqualTo(Refusal.NOT_A_CHOICE);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);

    running().approveChecked(new Decision("alice", "go"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    RolloutEvent approval = first(done, "approval");
    assertThat(approval.decidedBy()).isEqualTo("alice");
    assertThat(approval.success()).isTrue();
    // The switch came after the approval, not before.
    assertThat(at(done, "switch")).isGreaterThanOrEqualTo(approval.atMillis());
    assertThat(approval.atMillis() - at(done, "deploy")).isGreaterThanOrEqualTo(30 * 60_000);
    save("bluegreen-approved-before-switch");
  }

  @Test
  void aRejectedSwitchScalesThePreviewDownAndNeverTouchesTheActiveService() {
    approvers = List.of("alice");
    start(request(Duration.ZERO));
    waitFor(s -> s.phase() == RolloutPhase.AWAITING_APPROVAL);

    running().rejectChecked(new Decision("alice", "not during the sale"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(done.failure()).contains("Rejected by alice");
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(prometheus.queries).noneMatch(ColourPrometheus.Query::switched);
    assertThat(steps(done)).doesNotContain("switch").contains("approval", "rollback");
  }

  @Test
  void pauseHoldsBeforeTheSwitchAndHoldsTheWindowOpenUntilResumeOrPromoteFull() {
    start(request(Duration.ZERO));
    waitFor(s -> s.step() == 2 && s.phase() == RolloutPhase.ANALYSING);
    assertThat(running().pauseChecked(new Decision("alice", "checking")).pausedBy())
        .isEqualTo("alice");
    assertThat(refusal(() -> running().pauseChecked(new Decision("bob", null))))
        .isEqualTo(Refusal.ALREADY_DECIDED);
    env.sleep(Duration.ofMinutes(20)); // the analysis passed long ago: held by the operator
    RolloutStatus held = running().status();
    assertThat(held.phase()).isEqualTo(RolloutPhase.PAUSED);
    assertThat(held.step()).isEqualTo(2);
    assertThat(held.waitingFor()).contains("resume", "alice", "before the switch");
    assertThat(cluster.selector(STABLE)).as("never switched while paused").isEqualTo(ACTIVE_PODS);

    running().resumeChecked(new Decision("alice", null));
    waitFor(s -> s.step() == 4 && s.phase() == RolloutPhase.ANALYSING);
    assertThat(cluster.selector(STABLE)).isEqualTo(PREVIEW_PODS);
    running().pauseChecked(new Decision("alice", "watching the checkout"));
    env.sleep(Duration.ofMinutes(20)); // far past the 30 s window: the old colour keeps its pods
    RolloutStatus window = running().status();
    assertThat(window.phase()).isEqualTo(RolloutPhase.PAUSED);
    assertThat(window.waitingFor()).contains("the old colour keeps its pods");
    assertThat(cluster.replicas(STABLE)).isEqualTo(CAPACITY);
    assertThat(cluster.image(STABLE)).isEqualTo(OLD_IMAGE);
    assertThat(cluster.selector(STABLE)).isEqualTo(PREVIEW_PODS);

    running().promoteFullChecked(new Decision("carol", "ship it"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(done.timeline())
        .extracting(RolloutEvent::step, RolloutEvent::decidedBy)
        .containsSubsequence(
            org.assertj.core.groups.Tuple.tuple("pause", "alice"),
            org.assertj.core.groups.Tuple.tuple("resume", "alice"),
            org.assertj.core.groups.Tuple.tuple("switch", ""),
            org.assertj.core.groups.Tuple.tuple("pause", "alice"),
            org.assertj.core.groups.Tuple.tuple("promoteFull", "carol"),
            org.assertj.core.groups.Tuple.tuple("promote-full", "carol"),
            org.assertj.core.groups.Tuple.tuple("promote-active", ""));
    save("bluegreen-paused-resumed-promoted-full");
  }

  @Test
  void promoteFullBeforeTheSwitchSkipsBothAnalysesAndTheWindow() {
    prometheus.script = (colour, switched) -> null; // no data: the analysis would wait for a human
    start(request(Duration.ZERO));
    waitFor(s -> s.phase() == RolloutPhase.INCONCLUSIVE && s.step() == 2);

    running().promoteFullChecked(new Decision("carol", "hotfix"));
    RolloutStatus done = result();

    assertThat(done.phase()).isEqualTo(RolloutPhase.PROMOTED);
    assertThat(cluster.image(STABLE)).isEqualTo(NEW_IMAGE);
    assertThat(cluster.replicas(PREVIEW)).isZero();
    assertThat(prometheus.measuredPreview(true)).as("no post-promotion analysis").isFalse();
    // No 30 s window between the switch and the durable promotion.
    assertThat(at(done, "promote-active") - at(done, "switch")).isLessThan(30_000);
    assertThat(done.timeline())
        .filteredOn(e -> e.step().equals("promote-full"))
        .extracting(RolloutEvent::detail)
        .containsExactly("pre-promotion analysis skipped", "post-promotion analysis skipped");
  }

  @Test
  void aBadRequestIsRefusedNamingTheFieldAndChangesNothing() {
    start(new BlueGreenRequest(WEB, STABLE, ERROR_RATE, null, false, null, null, null));
    Throwable failed = catchThrowable(this::result);
    assertThat(rootMessage(failed)).contains("previewService: must differ from target.service");
    assertThat(cluster.replicas(PREVIEW)).isEqualTo(-1);
    assertThat(cluster.selector(STABLE)).isEqualTo(ACTIVE_PODS);
  }

  // ---- helpers ----

  private static BlueGreenRequest request(Duration retryWindow) {
    return new BlueGreenRequest(
        WEB,
        PREVIEW_SERVICE,
        ERROR_RATE,
        null,
        false,
        null,
        retryWindow,
        new RunEnvelope("medium", null, "carol", null));
  }

  private void start(BlueGreenRequest request) {
    BlueGreenDeployment stub =
        client.newWorkflowStub(
            BlueGreenDeployment.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId(WEB.workflowId())
                .build());
    WorkflowClient.start(stub::deploy, request);
  }

  private BlueGreenDeployment running() {
    return client.newWorkflowStub(BlueGreenDeployment.class, WEB.workflowId());
  }

  private RolloutStatus result() {
    return WorkflowStub.fromTyped(running()).getResult(RolloutStatus.class);
  }

  private RolloutStatus waitFor(Predicate<RolloutStatus> until) {
    for (int i = 0; i < 600; i++) {
      RolloutStatus status = running().status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + running().status());
  }

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

  private static List<String> steps(RolloutStatus status) {
    return status.timeline().stream().map(RolloutEvent::step).toList();
  }

  /** When the first event named {@code step} happened. */
  private static long at(RolloutStatus status, String step) {
    return first(status, step).atMillis();
  }

  private static RolloutEvent first(RolloutStatus status, String step) {
    return status.timeline().stream()
        .filter(e -> e.step().equals(step))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + step + " in " + status.timeline()));
  }

  private void save(String scenario) {
    RecordHistories.saveIfRecording(client, "rollout", scenario, WEB.workflowId());
  }

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

  /** The server's policy: no approval for blue-green deployments unless a test sets approvers. */
  private final class Policies implements PolicyActivities {
    @Override
    public HealingPolicy serverPolicy() {
      Map<String, HumanPolicy> humans =
          approvers.isEmpty()
              ? Map.of()
              : Map.of(
                  BlueGreenDeployment.TYPE,
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
