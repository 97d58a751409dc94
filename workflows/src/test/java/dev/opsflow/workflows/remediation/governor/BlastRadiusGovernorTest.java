package dev.opsflow.workflows.remediation.governor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.dispatch.PolicyActivitiesImpl;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.BlastRadiusGovernor;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlastRadiusGovernorTest {
  /** Stands in for a remediation: waits to be admitted, reports back in its result. */
  @WorkflowInterface
  public interface Requester {
    @WorkflowMethod
    boolean waitForAdmission(long seconds);

    @SignalMethod(name = RemediationSignals.ADMITTED)
    void admitted();

    @io.temporal.workflow.QueryMethod
    boolean isAdmitted();
  }

  public static class RequesterImpl implements Requester {
    private boolean admitted;

    @Override
    public boolean waitForAdmission(long seconds) {
      // Like a remediation, it stays running after admission (it would be acting).
      Workflow.sleep(Duration.ofSeconds(seconds));
      return admitted;
    }

    @Override
    public void admitted() {
      admitted = true;
    }

    @Override
    public boolean isAdmitted() {
      return admitted;
    }
  }

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private BlastRadiusGovernor governor;

  @BeforeEach
  void setUp() {
    // Real time: queries would let a time-skipping server jump to the next timer (a day away) and
    // expire every lease mid-test. The lease test uses a two-second lease instead.
    env =
        TestWorkflowEnvironment.newInstance(
            io.temporal.testing.TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .build());
    Worker worker = env.newWorker(TaskQueues.OPERATIONS);
    worker.registerWorkflowImplementationTypes(BlastRadiusGovernorImpl.class, RequesterImpl.class);
    // The governor's limits are the worker's configuration: two in flight, one per namespace.
    HealingPolicy limits =
        ServerPolicy.from(
            ConfigLoader.load(
                null, Map.of("MAX_IN_FLIGHT", "2", "MAX_IN_FLIGHT_PER_NAMESPACE", "1")));
    worker.registerActivitiesImplementations(new PolicyActivitiesImpl(() -> limits));
    env.start();
    client = env.getWorkflowClient();
    governor = governorStub();
    WorkflowClient.start(governor::govern, null);
  }

  private BlastRadiusGovernor governorStub() {
    return client.newWorkflowStub(
        BlastRadiusGovernor.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(GovernorNames.WORKFLOW_ID)
            .setTaskQueue(TaskQueues.OPERATIONS)
            .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private Requester startRequester(String id, long waitSeconds) {
    Requester r =
        client.newWorkflowStub(
            Requester.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.OPERATIONS)
                .build());
    WorkflowClient.start(r::waitForAdmission, waitSeconds);
    return r;
  }

  /** The limits a request names are ignored: the governor keeps the configured ones. */
  private static AdmissionRequest request(String id, String namespace, String severity) {
    return new AdmissionRequest(id, namespace, severity, A_DAY, 1000, 1000);
  }

  /**
   * Whether the requester got its admission, polled by query: waiting on workflow results would let
   * the time-skipping test server jump a day ahead and time the other requesters out.
   */
  private boolean result(String id) {
    Requester r = client.newWorkflowStub(Requester.class, id);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (r.isAdmitted()) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private static final long A_DAY = 86_400;

  private List<String> waiting() {
    return governor.state().waiting().stream().map(w -> w.request().workflowId()).toList();
  }

  @Test
  void admitsEveryWaiterItCanAtOnceWithoutAWorkflowTaskPerAdmission() {
    // A governor that finds two waiters it may admit (as after a continue-as-new, or a release).
    client.newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID).terminate("test: restart with state");
    startRequester("x1", A_DAY);
    startRequester("y1", A_DAY);
    BlastRadiusGovernor restarted = governorStub();
    WorkflowClient.start(
        restarted::govern,
        new GovernorState(
            List.of(),
            List.of(
                new GovernorState.Waiting(request("x1", "ns-x", "high"), 1),
                new GovernorState.Waiting(request("y1", "ns-y", "high"), 2)),
            List.of()));

    assertThat(result("x1")).isTrue();
    assertThat(result("y1")).isTrue();
    List<io.temporal.api.enums.v1.EventType> signalEvents =
        client.fetchHistory(GovernorNames.WORKFLOW_ID).getEvents().stream()
            .map(io.temporal.api.history.v1.HistoryEvent::getEventType)
            .filter(t -> t.name().contains("SIGNAL"))
            .filter(t -> !t.name().equals("EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"))
            .toList();
    assertThat(signalEvents)
        .as("both admissions are sent before either is confirmed delivered")
        .containsExactly(
            io.temporal.api.enums.v1.EventType
                .EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
            io.temporal.api.enums.v1.EventType
                .EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
            io.temporal.api.enums.v1.EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
            io.temporal.api.enums.v1.EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED);
  }

  @Test
  void admitsAtMostOnePerNamespaceAndTwoOverall() {
    for (String id : List.of("a1", "a2", "b1", "c1")) {
      startRequester(id, A_DAY);
    }
    governor.request(request("a1", "ns-a", "high"));
    governor.request(request("a2", "ns-a", "high"));
    governor.request(request("b1", "ns-b", "high"));
    governor.request(request("c1", "ns-c", "high"));

    assertThat(result("a1")).isTrue();
    assertThat(result("b1")).isTrue();
    assertThat(governor.state().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .containsExactlyInAnyOrder("a1", "b1");
    assertThat(waiting())
        .as("a2: namespace limit 1; c1: overall limit 2")
        .containsExactly("a2", "c1");

    governor.release("b1");
    assertThat(result("c1")).as("b1's slot goes to c1; a2 still blocked by a1 in ns-a").isTrue();
    assertThat(waiting()).containsExactly("a2");
  }

  @Test
  void aReleaseAdmitsTheMostSevereWaiter() {
    startRequester("first", A_DAY);
    governor.request(new AdmissionRequest("first", "ns", "low", A_DAY, 1, 1));
    assertThat(result("first")).isTrue();

    startRequester("low", A_DAY);
    startRequester("critical", A_DAY);
    governor.request(new AdmissionRequest("low", "ns", "low", A_DAY, 1, 1));
    governor.request(new AdmissionRequest("critical", "ns", "critical", A_DAY, 1, 1));
    assertThat(waiting()).containsExactlyInAnyOrder("low", "critical");
    governor.release("first");

    assertThat(result("critical")).isTrue();
    assertThat(governor.state().waiting())
        .extracting(w -> w.request().workflowId())
        .containsExactly("low");
  }

  @Test
  void aLeaseThatRunsOutFreesTheSlotWithoutARelease() {
    startRequester("stuck", A_DAY);
    governor.request(new AdmissionRequest("stuck", "ns", "high", 2, 1, 1));
    assertThat(result("stuck")).isTrue();

    startRequester("next", A_DAY);
    governor.request(new AdmissionRequest("next", "ns", "high", 2, 1, 1));
    assertThat(governor.state().waiting())
        .extracting(w -> w.request().workflowId())
        .containsExactly("next");
    assertThat(result("next")).as("admitted once the 2 s lease of 'stuck' ran out").isTrue();
    assertThat(governor.state().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .containsExactly("next");
  }

  @Test
  void aRepeatedRequestIsNotQueuedTwice() {
    startRequester("dup", A_DAY);
    governor.request(request("dup", "ns", "high"));
    governor.request(request("dup", "ns", "high"));
    assertThat(result("dup")).isTrue();
    assertThat(governor.state().inFlight()).hasSize(1);
    assertThat(governor.state().waiting()).isEmpty();
  }

  @Test
  void aRequesterThatIsGoneDoesNotHoldASlot() {
    startRequester("gone", 1);
    client.newUntypedWorkflowStub("gone").getResult(Boolean.class);
    governor.request(request("gone", "ns", "high"));
    startRequester("alive", A_DAY);
    governor.request(request("alive", "ns", "high"));
    assertThat(result("alive")).isTrue();
    assertThat(governor.state().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .isEqualTo(List.of("alive"));
  }
}
