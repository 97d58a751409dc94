package dev.opsflow.workflows.remediation.human;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.when;

import com.uber.m3.tally.Buckets;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.StatsReporter;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the kernel counts for the approvals and escalations alerts: every approval asked is closed
 * exactly once with its outcome and its wait, and every hand-over to a human is counted with the
 * phase it happened in. The workflows report into the test service's metrics scope, as they report
 * into the worker's Prometheus registry.
 */
class ApprovalAndEscalationMetricsTest {
  private static final Target TARGET = new WorkloadTarget("prod", "payments", "", "");
  private static final String PROCEDURE = "CrashLoopRemediation";

  private final Reported reported = new Reported();
  // Reports only when closed: tally's counters are not safe against two reports at once (its
  // report loop racing the final report of close() can report one increment twice).
  private final Scope metrics =
      new RootScopeBuilder()
          .reporter(reported)
          .reportEvery(com.uber.m3.util.Duration.ofSeconds(3600));
  private RemediationTestKit kit;

  @AfterEach
  void close() {
    kit.close();
  }

  /** A kit whose workflows report into {@link #metrics}. */
  private RemediationTestKit kit() {
    kit =
        new RemediationTestKit(
            TestEnvironmentOptions.newBuilder().setMetricsScope(metrics).build());
    when(kit.k8s.listPods("prod", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("prod", "payments", 1, "256Mi", "512Mi"));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    return kit;
  }

  private static RemediationRequest request(long timeoutSeconds, String onTimeout) {
    HumanPolicy human =
        new HumanPolicy(
            new ApprovalPolicy(List.of("alice"), 1, true, timeoutSeconds, onTimeout),
            List.of("prod"),
            List.of(new EscalationStep(EscalationStep.SLACK, 0)),
            false,
            3600);
    HealingPolicy policy =
        RemediationTestKit.policy().withHumans(HumanPolicy.DEFAULT, Map.of(PROCEDURE, human));
    return new RemediationRequest(
        PROCEDURE,
        TARGET,
        new RunEnvelope(
            "critical", firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"), "", null),
        null,
        policy);
  }

  /** Runs {@code decide} on the run {@code after} the approval was asked (workflow time). */
  private void after(Duration after, RemediationRequest request, Runnable decide) {
    kit.env.registerDelayedCallback(after, decide);
  }

  private void signal(RemediationRequest request, String name, Decision decision) {
    kit.client.newUntypedWorkflowStub(request.workflowId()).signal(name, decision);
  }

  /** Everything the workflows reported, once the scope has flushed its last report. */
  private Reported flushed() throws Exception {
    metrics.close();
    return reported;
  }

  /**
   * One wait of about {@code minutes} (workflow time; the gate opens a moment after the test's
   * clock started, once the approvers were told).
   */
  private static void assertWaited(List<Duration> waits, long minutes) {
    assertThat(waits)
        .singleElement()
        .satisfies(
            wait ->
                assertThat(wait)
                    .isBetween(
                        Duration.ofMinutes(minutes).minusSeconds(30),
                        Duration.ofMinutes(minutes).plusSeconds(30)));
  }

  @Test
  void anApprovalGivenAfterTwentyMinutesIsCountedOnceAsApprovedWithItsWaitEvenWhenReplayed()
      throws Exception {
    kit();
    RemediationRequest request = request(4 * 3600, "escalate");
    after(
        Duration.ofMinutes(20),
        request,
        () -> signal(request, OperatorNames.APPROVE, new Decision("alice", "go")));
    kit.start();
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.FIXED);
    // A worker that replays the run from its history (after a restart, or a cache eviction) runs
    // the approval code again: it must not count it again.
    kit.env
        .getWorkerFactory()
        .getWorker(TaskQueues.OPERATIONS)
        .replayWorkflowExecution(kit.client.fetchHistory(request.workflowId()));
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_REQUESTED, Map.of("procedure", PROCEDURE)))
        .as("%s", r)
        .isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of())).isEqualTo(1);
    assertThat(
            r.count(
                RunMetrics.APPROVALS_CLOSED, Map.of("procedure", PROCEDURE, "outcome", "approved")))
        .isEqualTo(1);
    assertWaited(r.waits(Map.of("procedure", PROCEDURE, "outcome", "approved")), 20);
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isZero();
  }

  @Test
  void nobodyApprovingInTimeIsATimeoutAndAnEscalationWhileWaitingForApproval() throws Exception {
    kit();
    RemediationRequest request = request(2 * 3600, "escalate");
    kit.start();
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.ESCALATED);
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_REQUESTED, Map.of("procedure", PROCEDURE)))
        .isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "timeout"))).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of())).isEqualTo(1);
    assertWaited(r.waits(Map.of("outcome", "timeout")), 120);
    assertThat(
            r.count(
                RunMetrics.ESCALATIONS,
                Map.of(
                    "procedure",
                    PROCEDURE,
                    "phase",
                    "WAITING_FOR_APPROVAL",
                    "reason_kind",
                    "escalated")))
        .isEqualTo(1);
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isEqualTo(1);
  }

  @Test
  void aTimeoutThePolicyTurnsIntoARejectionIsStillCountedAsATimeout() throws Exception {
    kit();
    RemediationRequest request = request(3600, "reject");
    kit.start();
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.REJECTED);
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "timeout"))).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "rejected"))).isZero();
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isZero();
  }

  @Test
  void aRejectionIsCountedAsRejectedAndIsNoEscalation() throws Exception {
    kit();
    RemediationRequest request = request(4 * 3600, "escalate");
    after(
        Duration.ofMinutes(5),
        request,
        () -> signal(request, OperatorNames.REJECT, new Decision("alice", "deploy in flight")));
    kit.start();
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.REJECTED);
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "rejected"))).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of())).isEqualTo(1);
    assertWaited(r.waits(Map.of("outcome", "rejected")), 5);
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isZero();
  }

  @Test
  void anApprovalOpenWhenTheRunIsCancelledIsClosedAsWithdrawn() throws Exception {
    kit();
    RemediationRequest request = request(4 * 3600, "escalate");
    after(
        Duration.ofMinutes(30),
        request,
        () -> kit.client.newUntypedWorkflowStub(request.workflowId()).cancel("carol: maintenance"));
    kit.start();
    kit.dispatch(request);

    assertThatThrownBy(() -> kit.outcome(request))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_REQUESTED, Map.of())).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "withdrawn"))).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of())).isEqualTo(1);
    assertWaited(r.waits(Map.of("outcome", "withdrawn")), 30);
  }

  @Test
  void anAlertThatResolvesWhileWaitingWithdrawsTheApproval() throws Exception {
    kit();
    RemediationRequest request = request(4 * 3600, "escalate");
    after(
        Duration.ofMinutes(10),
        request,
        () ->
            kit.dispatch(
                new RemediationRequest(
                    PROCEDURE,
                    TARGET,
                    new RunEnvelope(
                        "critical",
                        RemediationTestKit.resolved("KubePodCrashLooping", "2026-11-23T10:00:00Z"),
                        "",
                        null),
                    null,
                    request.policy())));
    kit.start();
    kit.dispatch(request);

    assertThat(kit.outcome(request).result()).isEqualTo(Phase.NOT_NEEDED);
    Reported r = flushed();
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of("outcome", "withdrawn"))).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_CLOSED, Map.of())).isEqualTo(1);
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isZero();
  }

  @Test
  void anUnexpectedFailureIsCountedAsAFailedEscalationInThePhaseItHappened() throws Exception {
    kit();
    when(kit.k8s.listPods("prod", "app=payments"))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("pods is forbidden", "Forbidden"));
    RemediationRequest request = request(4 * 3600, "escalate");
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);
    assertThat(outcome.result()).isEqualTo(Phase.FAILED);
    assertThat(outcome.detail()).contains("failed in phase RECEIVED");
    Reported r = flushed();
    assertThat(
            r.count(
                RunMetrics.ESCALATIONS,
                Map.of("procedure", PROCEDURE, "phase", "RECEIVED", "reason_kind", "failed")))
        .isEqualTo(1);
    assertThat(r.count(RunMetrics.ESCALATIONS, Map.of())).isEqualTo(1);
    assertThat(r.count(RunMetrics.APPROVALS_REQUESTED, Map.of())).isZero();
  }

  /** What a Prometheus registry would receive: counter increments and timer samples, by tags. */
  private static final class Reported implements StatsReporter {
    private record Sample(String name, Map<String, String> tags, long value) {}

    private final List<Sample> counters = new CopyOnWriteArrayList<>();
    private final Map<Map<String, String>, List<Duration>> timers = new ConcurrentHashMap<>();

    /** The sum of {@code name}'s increments over the series carrying all of {@code tags}. */
    long count(String name, Map<String, String> tags) {
      return counters.stream()
          .filter(s -> s.name().equals(name) && s.tags().entrySet().containsAll(tags.entrySet()))
          .mapToLong(Sample::value)
          .sum();
    }

    /** The waits recorded by the approval-wait timer on the series carrying all of {@code tags}. */
    List<Duration> waits(Map<String, String> tags) {
      return timers.entrySet().stream()
          .filter(e -> e.getKey().entrySet().containsAll(tags.entrySet()))
          .flatMap(e -> e.getValue().stream())
          .toList();
    }

    @Override
    public String toString() {
      return "counters " + counters + ", waits " + timers;
    }

    @Override
    public void reportCounter(String name, Map<String, String> tags, long value) {
      counters.add(new Sample(name, Map.copyOf(tags), value));
    }

    @Override
    public void reportTimer(String name, Map<String, String> tags, com.uber.m3.util.Duration d) {
      if (name.equals(RunMetrics.APPROVAL_WAIT)) {
        timers
            .computeIfAbsent(Map.copyOf(tags), t -> new CopyOnWriteArrayList<>())
            .add(Duration.ofNanos(d.getNanos()));
      }
    }

    @Override
    public void reportGauge(String name, Map<String, String> tags, double value) {}

    @Override
    public void reportHistogramValueSamples(
        String name,
        Map<String, String> tags,
        Buckets buckets,
        double lower,
        double upper,
        long samples) {}

    @Override
    public void reportHistogramDurationSamples(
        String name,
        Map<String, String> tags,
        Buckets buckets,
        com.uber.m3.util.Duration lower,
        com.uber.m3.util.Duration upper,
        long samples) {}

    @Override
    public com.uber.m3.tally.Capabilities capabilities() {
      return com.uber.m3.tally.CapableOf.REPORTING_TAGGING;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
