package dev.opsflow.workflows.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStarted;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.failover.TimelineEntry;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failover runbook against an in-memory cluster ({@link FakeCluster}), with time skipping: what
 * was done to which member, in which order, and what the status reports. Saves the main paths'
 * histories when recording is asked for (-Dopsflow.recordHistories=true).
 */
class PostgresFailoverTest {
  static final String QUEUE = "failover-test";

  private final FakeCluster cluster = new FakeCluster();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowCatalog.OPTIONS, PostgresFailoverImpl.class);
    worker.registerActivitiesImplementations(cluster);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static FailoverRequest request(FailoverMode mode) {
    return new FailoverRequest(
        "demo", mode, null, new RunEnvelope("critical", null, "carol", null), null);
  }

  private FailoverStarted start(FailoverMode mode) {
    return FailoverDoor.start(client, QUEUE, request(mode));
  }

  private PostgresFailover running() {
    return client.newWorkflowStub(PostgresFailover.class, FailoverRequest.workflowId("demo"));
  }

  private FailoverStatus result() {
    return WorkflowStub.fromTyped(running()).getResult(FailoverStatus.class);
  }

  /** Skips time until the run's status satisfies {@code until} (at most ten minutes of it). */
  private FailoverStatus waitFor(Predicate<FailoverStatus> until) {
    for (int i = 0; i < 600; i++) {
      FailoverStatus status = running().status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + running().status());
  }

  private FailoverStatus waitForPhase(String phase) {
    return waitFor(s -> s.phase().equals(phase));
  }

  private static List<String> steps(FailoverStatus status) {
    return status.timeline().stream().map(TimelineEntry::step).toList();
  }

  private void save(String scenario) {
    RecordHistories.saveIfRecording(
        client, "failover", scenario, FailoverRequest.workflowId("demo"));
  }

  @Test
  void approvedSwitchoverFencesReplaysPromotesAndRepointsInThatOrder() {
    start(FailoverMode.SWITCHOVER);
    FailoverStatus waiting = waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    assertThat(running().progress().waitingFor()).hasSize(1);
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("promote demo-b", "estimated data loss: none");
    assertThat(cluster.changes()).isEmpty();
    assertThat(waiting.primary()).isEqualTo("demo-a");
    assertThat(waiting.candidate()).isEqualTo("demo-b");

    running().approveChecked(new Decision("alice", "go"));
    FailoverStatus done = result();

    assertThat(cluster.changes())
        .containsExactly(
            "fence demo-a",
            "promote demo-b (former demo-a)",
            "setRoleLabels primary=demo-db-1 replicas=[demo-db-0]");
    assertThat(cluster.calls)
        .containsSubsequence(
            "fence demo-a",
            "finalLsn demo-a",
            "waitForReplay demo-b 0/5000060",
            "promote demo-b (former demo-a)",
            "verifyWritable demo-b",
            "setRoleLabels primary=demo-db-1 replicas=[demo-db-0]",
            "awaitEndpoints demo-db demo-db-1");
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(done.finalLsn()).isEqualTo("0/5000060");
    assertThat(done.dataLossBytes()).isZero();
    assertThat(done.promoted()).isTrue();
    assertThat(done.formerPrimaryFenced()).isTrue();
    assertThat(done.writeUnavailableMillis()).isNotNull().isNotNegative();
    assertThat(done.nextManualStep()).contains("pg_rewind", "demo-a", "stays fenced");
    TimelineEntry approval =
        done.timeline().stream().filter(t -> t.step().equals("approval")).findFirst().orElseThrow();
    assertThat(approval.decidedBy()).isEqualTo("alice");
    assertThat(done.timeline().stream().filter(t -> t.step().equals("final-lsn")).findFirst())
        .hasValueSatisfying(t -> assertThat(t.lsn()).isEqualTo("0/5000060"));
    assertThat(cluster.messages)
        .anySatisfy(m -> assertThat(m).contains("done", "demo-b is the primary"));
    save("switchover-approved");
  }

  @Test
  void rejectedSwitchoverChangesNothing() {
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    running().rejectChecked(new Decision("bob", "not now"));
    FailoverStatus done = result();

    assertThat(done.outcome()).isEqualTo(FailoverOutcome.REJECTED);
    assertThat(cluster.changes()).isEmpty();
    assertThat(cluster.calls)
        .noneMatch(c -> c.startsWith("finalLsn") || c.startsWith("awaitEndpoints"));
    assertThat(done.promoted()).isFalse();
    assertThat(done.timeline().get(done.timeline().size() - 1).decidedBy()).isEqualTo("bob");
    save("switchover-rejected");
  }

  @Test
  void theRequesterCannotApproveTheirOwnSwitchover() {
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    assertThatThrownBy(() -> running().approveChecked(new Decision("carol", "mine")))
        .rootCause()
        .hasMessageContaining("carol");
    assertThat(cluster.changes()).isEmpty();
    running().rejectChecked(new Decision("bob", "cleanup"));
    result();
  }

  @Test
  void replayThatNeverCatchesUpAsksAHumanAndANoUnfencesWithoutPromoting() {
    cluster.replayTimesOut = true;
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    running().approveChecked(new Decision("alice", "go"));
    waitFor(s -> s.phase().equals(PostgresFailoverImpl.WAITING_FOR_DECISION));
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("promote demo-b anyway", "4192 bytes");
    running().rejectChecked(new Decision("bob", "no data loss"));
    FailoverStatus done = result();

    assertThat(done.outcome()).isEqualTo(FailoverOutcome.ROLLED_BACK);
    assertThat(cluster.changes()).containsExactly("fence demo-a", "unfence demo-a");
    assertThat(cluster.fenced).isFalse();
    assertThat(done.promoted()).isFalse();
    assertThat(done.formerPrimaryFenced()).isFalse();
    assertThat(steps(done))
        .containsSubsequence("fence", "final-lsn", "replay", "promote-anyway", "unfence");
    assertThat(cluster.messages).anySatisfy(m -> assertThat(m).contains("rolled back"));
    save("switchover-replay-timeout-rolled-back");
  }

  @Test
  void primaryDownFailsOverUnattendedAfterTheConfirmationWindowWithTheDataLossFigure() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.lagBytes = 4096L;
    start(FailoverMode.FAILOVER);
    FailoverStatus done = result();

    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(cluster.calls.stream().filter(c -> c.equals("probe demo-a")).count()).isEqualTo(3);
    assertThat(cluster.changes())
        .containsExactly(
            "promote demo-b (former demo-a)",
            "setRoleLabels primary=demo-db-1 replicas=[demo-db-0]");
    assertThat(done.dataLossBytes()).isEqualTo(4096);
    long firstProbe =
        done.timeline().stream()
            .filter(t -> t.step().equals("probe"))
            .findFirst()
            .orElseThrow()
            .atMillis();
    long promoted =
        done.timeline().stream()
            .filter(t -> t.step().equals("promote"))
            .findFirst()
            .orElseThrow()
            .atMillis();
    assertThat(promoted - firstProbe).isGreaterThanOrEqualTo(30_000);
    assertThat(
            done.timeline().stream()
                .filter(t -> t.step().equals("approval"))
                .findFirst()
                .orElseThrow()
                .decidedBy())
        .isEqualTo(RunEnvelope.AUTOMATON);
    save("failover-unattended");
  }

  @Test
  void failoverAboveMaximumLagWaitsForAHuman() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.lagBytes = 2L * 1024 * 1024;
    start(FailoverMode.FAILOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    env.sleep(Duration.ofMinutes(30));
    assertThat(cluster.changes()).isEmpty();
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("2097152 bytes", "above maximumLagOnFailover");

    running().approveChecked(new Decision("alice", "accept the loss"));
    FailoverStatus done = result();
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(done.dataLossBytes()).isEqualTo(2L * 1024 * 1024);
    assertThat(cluster.changes()).contains("promote demo-b (former demo-a)");
    save("failover-above-lag-approved");
  }

  @Test
  void withoutTheServersUnattendedPolicyASmallRecentLagStillWaitsForAHuman() {
    cluster.primaryUp = false;
    cluster.unattended = false;
    cluster.lagBytes = 4096L;
    start(FailoverMode.FAILOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    env.sleep(Duration.ofMinutes(30));
    assertThat(cluster.changes()).isEmpty();
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("estimated data loss: 4096 bytes (last known lag)");
    running().rejectChecked(new Decision("bob", "not without a look"));
    assertThat(result().outcome()).isEqualTo(FailoverOutcome.REJECTED);
    assertThat(cluster.changes()).isEmpty();
  }

  @Test
  void aLastKnownLagReportedLongerAgoThanTheConfirmationWindowIsNeverUnattended() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.lagBytes = 4096L;
    cluster.lagAgeSeconds = 95.0;
    start(FailoverMode.FAILOVER);
    FailoverStatus waiting = waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    assertThat(waiting.lagBytes()).isEqualTo(4096);
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("4096 bytes (last known lag, reported 95.0 s before it was read");
    assertThat(cluster.changes()).isEmpty();
    running().approveChecked(new Decision("alice", "checked the primary's host"));
    FailoverStatus done = result();
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(cluster.changes()).contains("promote demo-b (former demo-a)");
    assertThat(
            done.timeline().stream()
                .filter(t -> t.step().equals("approval"))
                .findFirst()
                .orElseThrow()
                .decidedBy())
        .isEqualTo("alice");
    save("failover-stale-lag-approved");
  }

  @Test
  void anUnattendedFailoverSaysWhereItsLastKnownLagCameFrom() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.lagBytes = 4096L;
    cluster.lagAgeSeconds = 3.0;
    start(FailoverMode.FAILOVER);
    FailoverStatus done = result();
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.COMPLETED);
    assertThat(
            done.timeline().stream()
                .filter(t -> t.step().equals("approval"))
                .findFirst()
                .orElseThrow()
                .detail())
        .contains(
            "last known lag 4096 <= maximumLagOnFailover 1048576",
            "as it last reported it to demo-b, 3.0 s before this reading");
    save("failover-unattended-recent-lag");
  }

  @Test
  void aPrimaryThatAnswersOneProbeInTheWindowIsNotFailedOver() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.primaryAnswersAtProbe = 3;
    start(FailoverMode.FAILOVER);
    FailoverStatus done = result();
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.ESCALATED);
    assertThat(cluster.changes()).isEmpty();
    assertThat(running().progress().currentStep()).contains("answered probe 3");
  }

  @Test
  void cancellationBeforeThePromotionUnfencesTheOldPrimary() {
    cluster.replayTimesOut = true;
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    running().approveChecked(new Decision("alice", "go"));
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_DECISION);
    WorkflowStub.fromTyped(running()).cancel();
    assertThatThrownBy(this::result).isInstanceOf(WorkflowFailedException.class);

    assertThat(cluster.changes()).containsExactly("fence demo-a", "unfence demo-a");
    FailoverStatus after = running().status();
    assertThat(after.outcome()).isEqualTo(FailoverOutcome.CANCELLED);
    assertThat(after.promoted()).isFalse();
    assertThat(after.formerPrimaryFenced()).isFalse();
  }

  @Test
  void cancellationAfterThePromotionUndoesNothingAndKeepsTheOldPrimaryFenced() {
    cluster.endpointsNeverConverge = true;
    cluster.askOnFailure = true;
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    running().approveChecked(new Decision("alice", "go"));
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_DECISION);
    assertThat(cluster.promoted).isTrue();
    WorkflowStub.fromTyped(running()).cancel();
    assertThatThrownBy(this::result).isInstanceOf(WorkflowFailedException.class);

    assertThat(cluster.changes())
        .containsExactly(
            "fence demo-a",
            "promote demo-b (former demo-a)",
            "setRoleLabels primary=demo-db-1 replicas=[demo-db-0]");
    assertThat(cluster.fenced).isTrue();
    FailoverStatus after = running().status();
    assertThat(after.outcome()).isEqualTo(FailoverOutcome.CANCELLED);
    assertThat(after.promoted()).isTrue();
    assertThat(after.formerPrimaryFenced()).isTrue();
    assertThat(after.nextManualStep()).contains("pg_rewind");
  }

  @Test
  void endpointsThatNeverNameTheNewPrimaryEscalateWithTheStateAndNoUndo() {
    cluster.endpointsNeverConverge = true;
    start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    running().approveChecked(new Decision("alice", "go"));
    FailoverStatus done = result();
    assertThat(done.outcome()).isEqualTo(FailoverOutcome.ESCALATED);
    assertThat(cluster.changes()).doesNotContain("unfence demo-a");
    assertThat(done.formerPrimaryFenced()).isTrue();
    assertThat(done.nextManualStep()).contains("pg_rewind");
    assertThat(cluster.messages)
        .anySatisfy(m -> assertThat(m).contains("needs a human", "demo-b promoted", "kept fenced"));
    save("switchover-endpoints-escalated");
  }

  @Test
  void aSecondRequestForTheClusterIsRefusedWithTheRunningRunsId() {
    FailoverStarted first = start(FailoverMode.SWITCHOVER);
    waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    FailoverStarted second = start(FailoverMode.FAILOVER);

    assertThat(first.alreadyRunning()).isFalse();
    assertThat(second.alreadyRunning()).isTrue();
    assertThat(second.workflowId()).isEqualTo("failover-demo");
    assertThat(second.runId()).isEqualTo(first.runId());
    assertThat(running().status().mode()).isEqualTo(FailoverMode.SWITCHOVER);
    running().rejectChecked(new Decision("bob", "cleanup"));
    result();
  }

  @Test
  void theDoorRefusesAClusterItsConfigurationLacksBeforeAnythingStarts() {
    assertThatThrownBy(
            () ->
                FailoverDoor.start(
                    client,
                    QUEUE,
                    new FailoverRequest("nosuch", FailoverMode.FAILOVER, null, null, null),
                    java.util.Set.of("demo", "orders")))
        .isInstanceOf(FailoverDoor.UnknownCluster.class)
        .hasMessage("cluster: 'nosuch' is not in failover.clusters; configured: demo, orders");
    assertThatThrownBy(() -> FailoverDoor.running(client, "nosuch").describe())
        .isInstanceOf(io.temporal.client.WorkflowNotFoundException.class);
    assertThat(cluster.calls).isEmpty();
  }

  @Test
  void aRequestWithoutAModeIsRefusedNamingTheField() {
    FailoverDoor.start(client, QUEUE, new FailoverRequest("demo", null, null, null, null));
    assertThatThrownBy(this::result)
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("mode is required");
    assertThat(cluster.calls).isEmpty();
  }

  @Test
  void aRunStartedUnderAnotherIdThanTheClustersIsRefused() {
    PostgresFailover stub =
        client.newWorkflowStub(
            PostgresFailover.class,
            io.temporal.client.WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId("my-own-failover")
                .build());
    assertThatThrownBy(() -> stub.failover(request(FailoverMode.SWITCHOVER)))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("workflow ID must be failover-demo");
    assertThat(cluster.calls).isEmpty();
  }

  @Test
  void aFailoverWhoseLagIsUnknownIsNeverUnattended() {
    cluster.primaryUp = false;
    cluster.unattended = true;
    cluster.lagBytes = null;
    start(FailoverMode.FAILOVER);
    FailoverStatus waiting = waitForPhase(PostgresFailoverImpl.WAITING_FOR_APPROVAL);
    assertThat(waiting.lagBytes()).isNull();
    assertThat(running().progress().waitingFor().get(0).action())
        .contains("estimated data loss: unknown");
    running().rejectChecked(new Decision("bob", "find out first"));
    assertThat(result().outcome()).isEqualTo(FailoverOutcome.REJECTED);
    assertThat(cluster.changes()).isEmpty();
  }

  @Test
  void aClusterTheWorkerDoesNotKnowFailsAndItsStatusSaysWhyWhileHumansAreStillBeingTold() {
    // A second rung a quarter of an hour later keeps the escalation, and so the run, open.
    cluster.escalation =
        List.of(
            new EscalationStep(EscalationStep.SLACK, 0),
            new EscalationStep(EscalationStep.PAGERDUTY, 900));
    FailoverDoor.start(
        client,
        QUEUE,
        new FailoverRequest(
            "nosuch",
            FailoverMode.FAILOVER,
            null,
            new RunEnvelope("critical", null, "carol", null),
            null));
    PostgresFailover nosuch =
        client.newWorkflowStub(PostgresFailover.class, FailoverRequest.workflowId("nosuch"));
    FailoverStatus failing = nosuch.status();
    for (int i = 0; i < 60 && failing.failure().isEmpty(); i++) {
      env.sleep(Duration.ofSeconds(1));
      failing = nosuch.status();
    }

    assertThat(failing.outcome()).isEqualTo(FailoverOutcome.FAILED);
    assertThat(failing.phase()).isEqualTo(PostgresFailoverImpl.FAILED);
    assertThat(failing.failure()).contains("cluster 'nosuch' is not in failover.clusters");
    assertThat(nosuch.progress().currentStep())
        .contains("failed in phase RECEIVED", "(failed: ", "nosuch");
    assertThat(cluster.messages)
        .singleElement()
        .satisfies(m -> assertThat(m).contains("failover-nosuch", "failed in phase RECEIVED"));
    assertThat(WorkflowStub.fromTyped(nosuch).getResult(FailoverStatus.class).outcome())
        .isEqualTo(FailoverOutcome.FAILED);
    assertThat(cluster.calls).noneMatch(c -> c.startsWith("probe"));
    assertThat(cluster.changes()).isEmpty();
    RecordHistories.saveIfRecording(
        client, "failover", "unknown-cluster-failed", FailoverRequest.workflowId("nosuch"));
  }
}
