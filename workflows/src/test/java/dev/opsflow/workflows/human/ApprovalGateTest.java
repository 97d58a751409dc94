package dev.opsflow.workflows.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInit;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApprovalGateTest {
  /** A procedure step that needs a human: the smallest user of the gate. */
  @WorkflowInterface
  public interface GatedChange {
    @WorkflowMethod
    ApprovalResult run(String requestedBy, ApprovalPolicy policy);

    @SignalMethod
    void approve(Decision decision);

    @SignalMethod
    void reject(Decision decision);

    @UpdateMethod
    String approveNow(Decision decision);

    @UpdateValidatorMethod(updateName = "approveNow")
    void validateApproveNow(Decision decision);

    @QueryMethod
    ApprovalStatus approval();
  }

  public static class GatedChangeImpl implements GatedChange {
    private final ApprovalGate gate;

    @WorkflowInit
    public GatedChangeImpl(String requestedBy, ApprovalPolicy policy) {
      gate = new ApprovalGate("fail over orders-db", requestedBy, policy);
    }

    @Override
    public ApprovalResult run(String requestedBy, ApprovalPolicy policy) {
      return gate.await();
    }

    @Override
    public void approve(Decision decision) {
      gate.approve(decision);
    }

    @Override
    public void reject(Decision decision) {
      gate.reject(decision);
    }

    @Override
    public String approveNow(Decision decision) {
      gate.approve(decision);
      return gate.status().state().name();
    }

    @Override
    public void validateApproveNow(Decision decision) {
      gate.validate(decision);
    }

    @Override
    public ApprovalStatus approval() {
      return gate.status();
    }
  }

  private static final long THREE_DAYS = 3 * 24 * 3600;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    // Real time: a query to a time-skipping server may jump to the next timer (the 3-day
    // timeout) while a test is still deciding. The timeout tests switch to time skipping.
    useEnvironment(false);
  }

  private void useEnvironment(boolean timeSkipping) {
    if (env != null) {
      env.close();
    }
    env =
        TestWorkflowEnvironment.newInstance(
            io.temporal.testing.TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(timeSkipping)
                .build());
    Worker worker = env.newWorker("approvals");
    worker.registerWorkflowImplementationTypes(GatedChangeImpl.class);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private GatedChange start(String requestedBy, ApprovalPolicy policy) {
    GatedChange change =
        client.newWorkflowStub(
            GatedChange.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue("approvals")
                .setWorkflowId("change-1")
                .build());
    WorkflowClient.start(change::run, requestedBy, policy);
    return client.newWorkflowStub(GatedChange.class, "change-1");
  }

  private ApprovalResult result() {
    return client.newUntypedWorkflowStub("change-1").getResult(ApprovalResult.class);
  }

  private static ApprovalPolicy oneOf(String onTimeout, String... approvers) {
    return new ApprovalPolicy(List.of(approvers), 1, true, THREE_DAYS, onTimeout);
  }

  @Test
  void aListedApproverApproves() {
    GatedChange change = start("carol", oneOf("escalate", "alice", "bob"));
    change.approve(new Decision("alice", "replica is caught up"));
    assertThat(result()).isEqualTo(ApprovalResult.APPROVED);
  }

  @Test
  void oneRejectionRejects() {
    GatedChange change =
        start(
            "carol", new ApprovalPolicy(List.of("alice", "bob"), 2, true, THREE_DAYS, "escalate"));
    change.approve(new Decision("alice", "ok"));
    change.reject(new Decision("bob", "not during the sale"));
    assertThat(result()).isEqualTo(ApprovalResult.REJECTED);
  }

  @Test
  void nobodyDecidingForDaysFollowsTheTimeoutPolicy() {
    useEnvironment(true);
    start("carol", oneOf("escalate", "alice"));
    assertThat(result()).isEqualTo(ApprovalResult.ESCALATE);
    assertThat(env.currentTimeMillis() - System.currentTimeMillis())
        .as("three days were skipped")
        .isGreaterThan(2 * 24 * 3600 * 1000L);
  }

  @Test
  void autoRejectOnTimeoutWhenConfigured() {
    useEnvironment(true);
    start("carol", oneOf("reject", "alice"));
    assertThat(result()).isEqualTo(ApprovalResult.REJECTED);
  }

  @Test
  void anUnauthorizedSignalIsRecordedAndIgnored() {
    GatedChange change = start("carol", oneOf("escalate", "alice"));
    change.approve(new Decision("mallory", "lgtm"));
    ApprovalStatus status = change.approval();
    assertThat(status.state()).isEqualTo(ApprovalResult.PENDING);
    assertThat(status.decisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.by()).isEqualTo("mallory");
              assertThat(d.ignoredBecause()).contains("not an approver");
            });
    change.approve(new Decision("alice", "ok"));
    assertThat(result()).isEqualTo(ApprovalResult.APPROVED);
  }

  @Test
  void theRequesterCannotApproveTheirOwnRequestUnderFourEyes() {
    GatedChange change = start("alice", oneOf("escalate", "alice", "bob"));
    change.approve(new Decision("alice", "my own change"));
    assertThat(change.approval().state()).isEqualTo(ApprovalResult.PENDING);
    assertThat(change.approval().decisions().get(0).ignoredBecause()).contains("four-eyes");
    change.approve(new Decision("bob", "ok"));
    assertThat(result()).isEqualTo(ApprovalResult.APPROVED);
  }

  @Test
  void twoOfThreeApprovalsAreNeededAndOnePersonCountsOnce() {
    GatedChange change =
        start(
            "dave",
            new ApprovalPolicy(List.of("alice", "bob", "carol"), 2, true, THREE_DAYS, "escalate"));
    change.approve(new Decision("alice", "ok"));
    change.approve(new Decision("alice", "really ok"));
    assertThat(change.approval().approvals()).isEqualTo(1);
    assertThat(change.approval().state()).isEqualTo(ApprovalResult.PENDING);
    change.approve(new Decision("carol", "ok"));
    assertThat(result()).isEqualTo(ApprovalResult.APPROVED);
  }

  @Test
  void theUpdateValidatorRefusesAWrongCallerSynchronously() {
    GatedChange change = start("carol", oneOf("escalate", "alice"));
    assertThatThrownBy(() -> change.approveNow(new Decision("mallory", "lgtm")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("mallory is not an approver");
    assertThat(change.approval().decisions())
        .as("a refused update leaves no trace in the state")
        .isEmpty();
    assertThat(change.approveNow(new Decision("alice", "ok"))).isEqualTo("APPROVED");
    assertThat(result()).isEqualTo(ApprovalResult.APPROVED);
  }

  @Test
  void policiesAreValidated() {
    assertThatThrownBy(() -> new ApprovalPolicy(List.of("alice"), 2, true, 60, "escalate"))
        .hasMessageContaining("required must be between 1 and the number of approvers (1), got 2");
    assertThatThrownBy(() -> new ApprovalPolicy(List.of("alice"), 1, true, 60, "shrug"))
        .hasMessageContaining("onTimeout must be escalate, reject or approve");
  }
}
