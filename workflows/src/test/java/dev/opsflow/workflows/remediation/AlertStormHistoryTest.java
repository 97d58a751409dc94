package dev.opsflow.workflows.remediation;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.SlackUpdate;
import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.kernel.HistoryBound;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.testservice.v1.UnlockTimeSkippingRequest;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.TestServiceStubs;
import io.temporal.serviceclient.TestServiceStubsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * One problem, tens of thousands of episodes (per-pod alerts): the run keeps the count and only the
 * latest episode ids, and continues as new at its long waits (approval, admission, cooldown) so no
 * run's history grows past {@link HistoryBound#EVENTS}; the continued run resumes the wait and
 * repeats nothing. Notices are sent from the test thread while time skipping is locked, so no timer
 * fires while the storm lasts.
 */
class AlertStormHistoryTest {
  private static final String PROCEDURE = "CrashLoopRemediation";
  // A continue-as-new happens at the first task past the bound; notices arriving meanwhile add to
  // that run's history, so allow that much beyond the bound (still half of Temporal's warning).
  private static final long LARGEST_RUN = HistoryBound.EVENTS + 500;

  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void tenThousandEpisodesWhileWaitingForApprovalContinueAsNewAndTheApprovedActionRunsOnce() {
    List<WorkflowExecutionHistory> chain = tenThousandEpisodesThenApproved(true);

    assertThat(chain).as("runs of the chain").hasSizeGreaterThanOrEqualTo(2);
    assertThat(chain)
        .as("runs: %s", sizes(chain))
        .allSatisfy(h -> assertThat(h.getEvents().size()).isLessThan((int) LARGEST_RUN));
    RecordHistories.saveIfRecording(
        kit.client,
        "crashloop",
        "storm-while-waiting-for-approval-continued-as-new",
        WORKFLOW_ID,
        firstRunId(chain));
    RecordHistories.saveIfRecording(
        kit.client, "crashloop", "approved-after-a-storm-continued-as-new", WORKFLOW_ID);
  }

  /**
   * Back to back, faster than the worker replays a run's history, the server refuses the switch
   * (UNHANDLED_COMMAND: a signal arrived during the task) until the flood pauses: that run's
   * history grows with the flood. Nothing is lost, nothing fails, and the run still continues as
   * new and acts once.
   */
  @Test
  void aSustainedFloodOfSingleNoticesLosesNoneAndStillActsOnce() {
    List<WorkflowExecutionHistory> chain = tenThousandEpisodesThenApproved(false);

    assertThat(chain).as("runs: %s", sizes(chain)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(chain.subList(1, chain.size()))
        .as("runs: %s", sizes(chain))
        .allSatisfy(h -> assertThat(h.getEvents().size()).isLessThan((int) LARGEST_RUN));
  }

  private static final String WORKFLOW_ID = "heal-crash-loop-remediation-prod/payments";

  /**
   * 10,000 per-pod episodes, one in ten also resent by the other Alertmanager of the pair, while
   * the run waits for approval; then alice approves. {@code paced}: in notifications of 100 alerts,
   * the next sent once the last was taken in (as Alertmanager's group interval spaces them); else
   * back to back.
   */
  private List<WorkflowExecutionHistory> tenThousandEpisodesThenApproved(boolean paced) {
    WorkloadTarget target = new WorkloadTarget("prod", "payments", "", "");
    crashLoopingThenHealthy("prod", "payments");
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    List<String> slack = new ArrayList<>();
    when(kit.notify.postSlack(any()))
        .thenAnswer(
            inv -> {
              slack.add(((SlackMessage) inv.getArgument(0)).text());
              return new SlackPosted("C1", "1700000000." + slack.size(), false);
            });
    HumanPolicy approval =
        new HumanPolicy(
            new ApprovalPolicy(
                List.of("alice"), 1, true, Duration.ofDays(30).toSeconds(), "escalate"),
            List.of("prod"),
            List.of(new EscalationStep(EscalationStep.SLACK, 0)),
            false,
            3600);
    RemediationRequest request = request(target, policy(approval));
    assertThat(request.workflowId()).isEqualTo(WORKFLOW_ID);
    kit.start();
    kit.dispatch(request);
    awaitPhase(request, Phase.WAITING_FOR_APPROVAL);

    for (int burst = 0; burst < 100; burst++) {
      for (int pod = burst * 100; pod < (burst + 1) * 100; pod++) {
        AlertNotice notice = podAlert(pod, "2026-11-23T10:00:00Z");
        signal(request, notice);
        if (pod % 10 == 0) {
          signal(request, notice);
        }
      }
      int taken = (burst + 1) * 100 + 1;
      if (paced) {
        awaitTrue(() -> kit.status(request).notices() == taken, taken + " episodes counted");
      }
    }
    awaitTrue(() -> kit.status(request).notices() == 10_001, "all episodes counted");
    RemediationStatus waiting = kit.status(request);
    assertThat(waiting.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(waiting.waitingFor()).hasSize(1);

    ApprovalStatus approved =
        kit.client
            .newUntypedWorkflowStub(request.workflowId())
            .update(OperatorNames.APPROVE, ApprovalStatus.class, new Decision("alice", "go"));
    RemediationOutcome outcome = awaitOutcome(request);

    assertThat(approved.state().name()).isEqualTo("APPROVED");
    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(argThat(r -> r.name().equals("payments")));
    assertThat(outcome.actions())
        .extracting(ActionRecord::action)
        .containsExactly("rollout_restart");
    // Asked once, answered once: the continued runs kept the gate and its Slack message.
    assertThat(slack).filteredOn(t -> t.contains("asks for approval")).hasSize(1);
    ArgumentCaptor<SlackUpdate> update = ArgumentCaptor.forClass(SlackUpdate.class);
    verify(kit.notify).updateSlack(update.capture());
    assertThat(update.getValue().ts()).isEqualTo("1700000000.1");
    assertThat(update.getValue().text()).startsWith("Approved by alice (go)");
    // 10,000 pod episodes and the first notice's own; the resends not counted.
    assertThat(kit.status(request).notices()).isEqualTo(10_001);
    List<WorkflowExecutionHistory> chain = chain(request.workflowId());
    // Each earlier run handed over by continuing as new, never closed another way. (On the test
    // service a run's close event may be missing: see closing.)
    assertThat(chain.subList(0, chain.size() - 1))
        .allSatisfy(
            h ->
                closing(h)
                    .ifPresent(
                        e ->
                            assertThat(e.getEventType())
                                .isEqualTo(
                                    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)));
    return chain;
  }

  @Test
  void aRunContinuedAsNewKeepsItsPlaceWithTheGovernorAndItsCooldown() throws Exception {
    // One slot: "holder" takes it and waits for a human after its action failed; "payments" waits.
    crashLooping("demo", "holder");
    crashLoopingThenHealthy("demo", "payments");
    when(kit.k8s.rolloutRestart(argThat(r -> r != null && r.name().equals("holder"))))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("API said 500", "Unavailable"));
    when(kit.k8s.rolloutRestart(argThat(r -> r != null && r.name().equals("payments"))))
        .thenReturn(new RestartResult("t", true));
    HumanPolicy askOnFailure =
        new HumanPolicy(
            null,
            List.of(),
            List.of(new EscalationStep(EscalationStep.SLACK, 0)),
            true,
            Duration.ofDays(7).toSeconds());
    HealingPolicy policy = policy(askOnFailure);
    kit.serverPolicy(policy);
    RemediationRequest holder = request(new WorkloadTarget("demo", "holder", "", ""), policy);
    RemediationRequest payments = request(new WorkloadTarget("demo", "payments", "", ""), policy);
    kit.start();
    kit.dispatch(holder);
    awaitPhase(holder, Phase.WAITING_FOR_DECISION);
    kit.dispatch(payments);
    awaitPhase(payments, Phase.WAITING_FOR_ADMISSION);

    storm(payments, 6_000, 0);
    awaitTrue(() -> chain(payments.workflowId()).size() >= 2, "continued while waiting");
    awaitTrue(() -> kit.status(payments).notices() == 6_001, "all episodes counted");
    GovernorState queued = governor();
    assertThat(queued.inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .containsExactly(holder.workflowId());
    assertThat(queued.waiting())
        .extracting(w -> w.request().workflowId())
        .containsExactly(payments.workflowId());
    assertThat(kit.status(payments).phase()).isEqualTo(Phase.WAITING_FOR_ADMISSION);

    // The holder gives up its slot; the governor admits the continued run, which acts once.
    kit.client
        .newUntypedWorkflowStub(holder.workflowId())
        .signal(OperatorNames.FAIL_STEP, new Decision("bob", "leave it"));
    sleep(Duration.ofSeconds(policy.settleSeconds() * 2));
    awaitPhase(payments, Phase.COOLDOWN);
    int runsBeforeCooldown = chain(payments.workflowId()).size();

    // Old pods' alerts of the episode that was fixed keep coming in the cooldown: not recurrences.
    storm(payments, 6_000, 100_000);
    awaitTrue(
        () -> chain(payments.workflowId()).size() > runsBeforeCooldown, "continued in cooldown");
    RemediationOutcome outcome = awaitOutcome(payments);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1))
        .rolloutRestart(argThat(r -> r != null && r.name().equals("payments")));
    List<WorkflowExecutionHistory> chain = chain(payments.workflowId());
    long restartedAt = outcome.actions().get(0).atMillis();
    long closedAt =
        closing(chain.get(chain.size() - 1)).orElseThrow().getEventTime().getSeconds() * 1000;
    // The cooldown ran from the action, not from when the last run of the chain began.
    assertThat(closedAt - restartedAt)
        .isBetween(
            (policy.actionCooldownSeconds() - 5) * 1000,
            (policy.actionCooldownSeconds() + 5) * 1000);
    assertThat(admissionRequests(payments.workflowId())).as("asked the governor once").isEqualTo(1);
    assertThat(governor().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .doesNotContain(payments.workflowId());
    assertThat(kit.status(payments).notices()).isEqualTo(12_001);
    assertThat(chain)
        .as("runs: %s", sizes(chain))
        .allSatisfy(h -> assertThat(h.getEvents().size()).isLessThan((int) LARGEST_RUN));
    RecordHistories.saveIfRecording(
        kit.client,
        "crashloop",
        "admitted-and-cooled-down-after-storms-continued-as-new",
        payments.workflowId());
  }

  // ---- the scenario ----

  private void crashLooping(String namespace, String deployment) {
    when(kit.k8s.listPods(namespace, "app=" + deployment))
        .thenReturn(List.of(pod(deployment + "-1", deployment, "CrashLoopBackOff", "Error")));
  }

  private void crashLoopingThenHealthy(String namespace, String deployment) {
    when(kit.k8s.listPods(namespace, "app=" + deployment))
        .thenReturn(
            List.of(pod(deployment + "-1", deployment, "CrashLoopBackOff", "Error")),
            List.of(pod(deployment + "-2", deployment, "", "")));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment(namespace, deployment, 1, "256Mi", "512Mi"));
  }

  /** The default policy with one governor slot, a day's admission wait and these humans. */
  private static HealingPolicy policy(HumanPolicy human) {
    HealingPolicy d = RemediationTestKit.policy();
    return new HealingPolicy(
            d.kafkaLagThreshold(),
            d.kafkaLagPerReplica(),
            d.postgresConnThreshold(),
            d.diskSpaceThreshold(),
            d.minReplicas(),
            d.maxReplicas(),
            d.checkIntervalSeconds(),
            1800,
            60,
            d.confirmHighSeconds(),
            d.confirmMediumSeconds(),
            d.confirmLowSeconds(),
            d.idleSessionAgeSeconds(),
            d.logMaxAgeDays(),
            d.logPaths(),
            d.memoryRaiseFactor(),
            d.memoryRaiseMinStep(),
            d.memoryCeiling(),
            1,
            1,
            Duration.ofDays(1).toSeconds(),
            d.humanDefault(),
            d.humans())
        .withHumans(HumanPolicy.DEFAULT, Map.of(PROCEDURE, human));
  }

  private static RemediationRequest request(WorkloadTarget target, HealingPolicy policy) {
    return new RemediationRequest(
        PROCEDURE,
        target,
        new RunEnvelope(
            "critical",
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"),
            RemediationRequest.AUTOMATON,
            null),
        null,
        policy);
  }

  private static AlertNotice podAlert(int pod, String startsAt) {
    return new AlertNotice(
        "KubePodCrashLooping",
        AlertNotice.FIRING,
        "fp-pod-" + pod,
        startsAt,
        Map.of("alertname", "KubePodCrashLooping", "pod", "payments-" + pod),
        Map.of(),
        "alertmanager");
  }

  /**
   * {@code count} distinct episodes that all began before anything was done, in notifications of
   * 100 alerts; like Alertmanager, the next is sent once the last was taken in.
   */
  private void storm(RemediationRequest request, int count, int firstPod) {
    int before = kit.status(request).notices();
    for (int pod = firstPod; pod < firstPod + count; pod++) {
      signal(request, podAlert(pod, "2026-11-23T09:00:00Z"));
      int taken = before + pod - firstPod + 1;
      if (taken % 100 == 0 || pod == firstPod + count - 1) {
        awaitTrue(() -> kit.status(request).notices() == taken, taken + " episodes counted");
      }
    }
  }

  private void signal(RemediationRequest request, AlertNotice notice) {
    kit.client
        .newUntypedWorkflowStub(request.workflowId())
        .signal(RemediationSignals.ALERT_FIRED, notice);
  }

  /**
   * The chain's result. Not one long poll on the workflow ID: the Java test service's
   * continue-as-new is not atomic (temporalio/sdk-java#1538), and after a storm of signals a
   * result's long poll was seen to wait forever while the clock never moved. Instead the latest run
   * is asked for its state and the clock moved ten seconds at a time (settle, verify and cooldown
   * timers still fire at their own times inside each step), within a bound, so a run that never
   * ends fails the test. A second at a time cost a describe call per second of a long cooldown and
   * passed the 5-minute test timeout on a loaded machine.
   */
  private RemediationOutcome awaitOutcome(RemediationRequest request) {
    for (int i = 0; i < 360; i++) {
      io.temporal.api.enums.v1.WorkflowExecutionStatus status =
          kit.client
              .newUntypedWorkflowStub(request.workflowId())
              .describe()
              .getWorkflowExecutionInfo()
              .getStatus();
      if (status
              != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
          && status
              != io.temporal.api.enums.v1.WorkflowExecutionStatus
                  .WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        return kit.outcome(request);
      }
      sleep(STEP);
    }
    throw new AssertionError(request.workflowId() + " did not end within an hour of workflow time");
  }

  /**
   * {@code env.sleep}, releasing a time-skipping lock the Java test service leaked. When a signal
   * schedules a workflow task on a run that is completing by continue-as-new, the test service
   * drops that task with the closed run without releasing the lock it took for it; from then on its
   * clock runs at wall-clock speed and a 30-minute cooldown takes 30 minutes (the full suite timed
   * out on it). Traced with the test service's lock log: one {@code scheduleWorkflowTask} more than
   * {@code completeWorkflowTask} plus {@code failWorkflowTask} while no task was outstanding. Every
   * activity here is a mock that answers at once, so a sleep that took nearly its whole duration in
   * wall-clock time means such a leak, never a task at work; then one lock is released (at most
   * {@link #LEAKS_RELEASED} times a test, so a different fault still fails the test).
   */
  private void sleep(Duration total) {
    for (Duration left = total; !left.isZero(); ) {
      Duration step = left.compareTo(STEP) > 0 ? STEP : left;
      sleepStep(step);
      left = left.minus(step);
    }
  }

  private static final Duration STEP = Duration.ofSeconds(10);

  private void sleepStep(Duration duration) {
    long before = System.nanoTime();
    kit.env.sleep(duration);
    long tookMillis = (System.nanoTime() - before) / 1_000_000;
    if (duration.toMillis() >= 5_000 && tookMillis >= duration.toMillis() * 9 / 10) {
      if (leaksReleased++ == LEAKS_RELEASED) {
        throw new AssertionError(
            "the test service's clock stopped skipping " + leaksReleased + " times");
      }
      org.slf4j.LoggerFactory.getLogger(AlertStormHistoryTest.class)
          .warn(
              "A {} sleep took {} ms of wall-clock time: releasing the time-skipping lock the test"
                  + " service leaked",
              duration,
              tookMillis);
      TestServiceStubs testService =
          TestServiceStubs.newServiceStubs(
              TestServiceStubsOptions.newBuilder()
                  .setChannel(kit.env.getWorkflowServiceStubs().getRawChannel())
                  .validateAndBuildWithDefaults());
      testService.blockingStub().unlockTimeSkipping(UnlockTimeSkippingRequest.getDefaultInstance());
    }
  }

  private static final int LEAKS_RELEASED = 3;
  private int leaksReleased;

  // ---- what the test reads back ----

  private void awaitPhase(RemediationRequest request, Phase phase) {
    awaitTrue(() -> kit.status(request).phase() == phase, request.workflowId() + " in " + phase);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    // Generous: a fresh-clone run at load 20 took over a minute to reach the first wait.
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Every run of the workflow's chain, first to last. */
  private List<WorkflowExecutionHistory> chain(String workflowId) {
    List<WorkflowExecutionHistory> runs = new ArrayList<>();
    WorkflowExecutionHistory run = kit.client.fetchHistory(workflowId);
    while (true) {
      runs.add(0, run);
      String earlier =
          run.getEvents()
              .get(0)
              .getWorkflowExecutionStartedEventAttributes()
              .getContinuedExecutionRunId();
      if (earlier.isEmpty()) {
        return runs;
      }
      run = kit.client.fetchHistory(workflowId, earlier);
    }
  }

  /** Events per run, and how many of its workflow tasks the server refused, for messages. */
  private static List<String> sizes(List<WorkflowExecutionHistory> chain) {
    return chain.stream()
        .map(
            h ->
                h.getEvents().size()
                    + " events ("
                    + h.getEvents().stream()
                        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
                        .count()
                    + " tasks refused)")
        .toList();
  }

  /** The run ID of the chain's first run, as its successor names it. */
  private static String firstRunId(List<WorkflowExecutionHistory> chain) {
    return chain
        .get(1)
        .getEvents()
        .get(0)
        .getWorkflowExecutionStartedEventAttributes()
        .getContinuedExecutionRunId();
  }

  /**
   * The event that closed the run, if its history has one. The Java test service's continue-as-new
   * is not atomic (temporalio/sdk-java#1538). Seen under these storms: a signal arriving as a run
   * continues as new is still written after the close, with a workflow task scheduled, started and
   * even completed there; or the next run is started while the old run's history never gets its
   * close event and ends in a started task that never completes. That task's time-skipping lock is
   * what {@link #sleep} releases. A real server does neither.
   */
  private static Optional<HistoryEvent> closing(WorkflowExecutionHistory history) {
    return history.getEvents().stream()
        .filter(e -> CLOSE_EVENTS.contains(e.getEventType()))
        .findFirst();
  }

  private static final java.util.Set<EventType> CLOSE_EVENTS =
      java.util.EnumSet.of(
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);

  private GovernorState governor() {
    return kit.client
        .newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID)
        .query("status", GovernorState.class);
  }

  /** How many admission requests for {@code workflowId} the governor received. */
  private long admissionRequests(String workflowId) {
    return kit.client.fetchHistory(GovernorNames.WORKFLOW_ID).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
        .filter(
            e ->
                e.getWorkflowExecutionSignaledEventAttributes()
                    .getSignalName()
                    .equals(GovernorNames.REQUEST))
        .filter(
            e ->
                e.getWorkflowExecutionSignaledEventAttributes()
                    .getInput()
                    .toString()
                    .contains(workflowId))
        .count();
  }
}
