package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.dev.DevStack;
import dev.opsflow.starter.GuardedRestart;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator verbs against a running dev stack, as the README shows them. */
class OpsflowCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DevStack stack;

  private static final String HUMAN_QUEUE = "cli-it-humans";
  private static WorkerFactory humans;

  @BeforeAll
  static void start() {
    stack = DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", 0, 0);
    // A small supervised workflow beside the dev stack's own, for the human verbs.
    humans = WorkerFactory.newInstance(stack.client());
    humans.newWorker(HUMAN_QUEUE).registerWorkflowImplementationTypes(GuardedRestart.Impl.class);
    humans.start();
  }

  @AfterAll
  static void stop() {
    humans.shutdownNow();
    stack.close();
  }

  private static CliRun cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--temporal-address";
    all[args.length + 1] = stack.temporalTarget();
    return CliRun.of(all);
  }

  @Test
  void startWaitListAndDescribeAWorkflow() throws Exception {
    CliRun started =
        cli(
            "start",
            "ConnectivityCheck",
            "--input",
            "{\"systems\":[\"temporal\"]}",
            "--workflow-id",
            "cli-check",
            "--wait",
            "--json");
    assertThat(started.exitCode()).as(started.err()).isZero();
    JsonNode result = JSON.readTree(started.out());
    assertThat(result.get("workflowId").asText()).isEqualTo("cli-check");
    assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(result.at("/result/results/0/system").asText()).isEqualTo("temporal");
    assertThat(result.at("/result/allReachable").asBoolean()).isTrue();

    CliRun listed = cli("list", "--closed", "--json");
    assertThat(listed.exitCode()).isZero();
    JsonNode rows = JSON.readTree(listed.out());
    assertThat(rows.findValuesAsText("executionId")).contains("cli-check");

    CliRun table = cli("list", "--closed");
    assertThat(table.out())
        .startsWith("WORKFLOW ID")
        .contains("cli-check", "ConnectivityCheck", "COMPLETED");

    CliRun described = cli("describe", "cli-check", "--json");
    assertThat(described.exitCode()).isZero();
    JsonNode view = JSON.readTree(described.out());
    assertThat(view.get("workflowType").asText()).isEqualTo("ConnectivityCheck");
    assertThat(view.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(view.get("taskQueue").asText()).isEqualTo("opsflow");
  }

  @Test
  void aSecondStartWithTheSameIdWhileRunningOrDoneIsReported() {
    CliRun first = cli("start", "ConnectivityCheck", "--workflow-id", "dup-check", "--wait");
    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).contains("Workflow dup-check completed");
  }

  @Test
  void describeAndSignalOfAnUnknownWorkflowNameTheId() {
    CliRun described = cli("describe", "no-such-workflow");
    assertThat(described.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(described.err()).contains("WORKFLOW_ID: no workflow 'no-such-workflow'");
    CliRun signalled =
        cli("signal", "no-such-workflow", "approve", "--input", "{\"by\":\"alice\"}");
    assertThat(signalled.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(signalled.err()).contains("WORKFLOW_ID: no running workflow 'no-such-workflow'");
  }

  @Test
  void approvalsListsWaitingRunsAndApproveGoesThroughTheUpdate() throws Exception {
    String id = GuardedRestart.start(stack.client(), HUMAN_QUEUE, "approval", List.of("alice"), 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                JSON.readTree(cli("approvals", "--json").out())
                    .path("waiting")
                    .findValuesAsText("executionId")
                    .contains(id));
    CliRun table = cli("approvals");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .startsWith("WORKFLOW ID")
        .contains(id, "GuardedRestart", "approval", "restart demo/orders-consumer", "alice", "0/1")
        // The watchdogs never wait for a human and are not asked.
        .doesNotContain("did not answer");

    CliRun refused = cli("approve", id, "--by", "mallory", "--comment", "trust me");
    assertThat(refused.exitCode()).isEqualTo(OpsflowCommand.FAILED);
    assertThat(refused.err()).contains("your approve did not count: mallory is not an approver");

    CliRun approved = cli("approve", id, "--by", "alice", "--json");
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    assertThat(JSON.readTree(approved.out()).get("state").asText()).isEqualTo("APPROVED");
    assertThat(
            stack.client().newUntypedWorkflowStub(id).getResult(10, TimeUnit.SECONDS, String.class))
        .isEqualTo("APPROVED");
    assertThat(cli("approvals", "--json").out()).doesNotContain(id);
  }

  @Test
  void cancelRecordsWhoAndWhyAndRefusesAFinishedRun() throws Exception {
    String id = GuardedRestart.start(stack.client(), HUMAN_QUEUE, "approval", List.of("alice"), 1);
    CliRun cancelled = cli("cancel", id, "--by", "bob", "--reason", "maintenance window over");
    assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
    assertThat(cancelled.out())
        .contains("cancelled by bob via the opsflow CLI: maintenance window over");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        JSON.readTree(cli("describe", id, "--json").out()).get("status").asText())
                    .isEqualTo("CANCELED"));
    var progress = stack.client().newWorkflowStub(GuardedRestart.class, id).progress();
    assertThat(progress.cancelledBy())
        .isEqualTo("cancelled by bob via the opsflow CLI: maintenance window over");

    CliRun again = cli("cancel", id);
    assertThat(again.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(again.err()).contains("is CANCELED; nothing to cancel");
    CliRun reject = cli("reject", id, "--by", "alice");
    assertThat(reject.exitCode()).isNotZero();
  }

  private static String crashLoopProblem(String deployment) {
    return new RemediationRequest(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", deployment, null, null),
            "critical",
            null,
            RemediationRequest.AUTOMATON)
        .workflowId();
  }

  @Test
  void aRemediationStartedFromTheCliIsDeliveredOnItsProblemsIdAsTheCaller() throws Exception {
    String id = crashLoopProblem("payments");
    CliRun started =
        cli(
            "start",
            "CrashLoopRemediation",
            "--input-file",
            "../examples/inputs/CrashLoopRemediation.json",
            "--by",
            "bob",
            "--json");
    assertThat(started.exitCode()).as(started.err()).isZero();
    JsonNode answer = JSON.readTree(started.out());
    assertThat(answer.get("workflowId").asText()).isEqualTo(id);
    assertThat(answer.get("requestedBy").asText()).isEqualTo("bob");
    try (Executions executions = new Executions(stack.client())) {
      JsonNode input = JSON.valueToTree(executions.describe(id).orElseThrow().get("context"));
      assertThat(input.at("/run/requestedBy").asText()).isEqualTo("bob");
      assertThat(input.has("policy")).as("the server's policy holds").isFalse();
      assertThat(input.at("/run/alert/source").asText()).isEqualTo("operator");
      assertThat(input.at("/run/alert/fingerprint").asText()).isEqualTo("operator:bob");
    }
  }

  @Test
  void aRemediationThatCouldNotBeARequestExits2AndStartsNothing() throws Exception {
    CliRun empty = cli("start", "CrashLoopRemediation", "--input", "{}");
    assertThat(empty.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(empty.err())
        .contains("--input: severity: expected one of [critical, high, medium, low], got 'null'")
        .contains("target.namespace: required for CrashLoopRemediation");
    CliRun severity =
        cli(
            "start",
            "CrashLoopRemediation",
            "--input",
            "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"cli-typo\"},"
                + "\"severity\":\"urgent\"}");
    assertThat(severity.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(severity.err()).contains("severity: expected one of");
    String traversal = "../../prod/deployments/x";
    CliRun escape =
        cli(
            "start",
            "CrashLoopRemediation",
            "--input",
            "{\"target\":{\"namespace\":\"demo\",\"deployment\":\""
                + traversal
                + "\"},\"severity\":\"critical\"}");
    assertThat(escape.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(escape.err())
        .contains("--input: target.deployment: '../../prod/deployments/x' is not valid");
    for (String id :
        List.of(crashLoopProblem(""), crashLoopProblem("cli-typo"), crashLoopProblem(traversal))) {
      CliRun described = cli("describe", id);
      assertThat(described.exitCode()).as(id).isEqualTo(OpsflowCommand.BAD_INPUT);
      assertThat(described.err()).contains("WORKFLOW_ID: no workflow");
    }
  }

  @Test
  void aRunThatFailedShowsItsReasonInDescribeAndStatus() throws Exception {
    // What tctl does: the raw input, no door. The run fails at once naming the fields.
    WorkflowStub raw =
        stack
            .client()
            .newUntypedWorkflowStub(
                "CrashLoopRemediation",
                WorkflowOptions.newBuilder()
                    .setWorkflowId("cli-invalid-input")
                    .setTaskQueue(TaskQueues.OPERATIONS)
                    .build());
    raw.start(JSON.createObjectNode());
    assertThatThrownBy(() -> raw.getResult(10, TimeUnit.SECONDS, JsonNode.class))
        .isInstanceOf(WorkflowFailedException.class);

    CliRun described = cli("describe", "cli-invalid-input", "--json");
    assertThat(described.exitCode()).as(described.err()).isZero();
    JsonNode view = JSON.readTree(described.out());
    assertThat(view.get("status").asText()).isEqualTo("FAILED");
    assertThat(view.get("failure").asText()).contains("invalid input", "severity", "target");
    CliRun table = cli("describe", "cli-invalid-input");
    assertThat(table.out()).contains("failure", "invalid input");

    CliRun status = cli("status", "cli-invalid-input", "--json");
    assertThat(status.exitCode()).as(status.err()).isZero();
    JsonNode answer = JSON.readTree(status.out());
    assertThat(answer.get("runStatus").asText()).isEqualTo("FAILED");
    assertThat(answer.get("failure").asText()).contains("invalid input", "severity");
  }

  @Test
  void terminateStopsARunWithWhoAndWhyAndRefusesAClosedOne() throws Exception {
    String id = GuardedRestart.start(stack.client(), HUMAN_QUEUE, "approval", List.of("alice"), 1);
    CliRun terminated = cli("terminate", id, "--reason", "cleanup hangs", "--by", "bob");
    assertThat(terminated.exitCode()).as(terminated.err()).isZero();
    assertThat(terminated.out()).contains("terminated by bob via the opsflow CLI: cleanup hangs");
    JsonNode view = JSON.readTree(cli("describe", id, "--json").out());
    assertThat(view.get("status").asText()).isEqualTo("TERMINATED");
    assertThat(view.get("terminatedBy").asText())
        .isEqualTo("terminated by bob via the opsflow CLI: cleanup hangs");

    CliRun again = cli("terminate", id, "--reason", "again");
    assertThat(again.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(again.err()).contains("is TERMINATED; nothing to terminate");
    CliRun unknown = cli("terminate", "no-such-workflow", "--reason", "x");
    assertThat(unknown.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(unknown.err()).contains("WORKFLOW_ID: no workflow 'no-such-workflow'");
  }
}
