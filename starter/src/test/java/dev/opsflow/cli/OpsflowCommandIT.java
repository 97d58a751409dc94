package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.DevStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator verbs against a running dev stack, as the README shows them. */
class OpsflowCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DevStack stack;

  @BeforeAll
  static void start() {
    stack = DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
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
    assertThat(rows.findValuesAsText("workflowId")).contains("cli-check");

    CliRun table = cli("list", "--closed");
    assertThat(table.out())
        .startsWith("WORKFLOW ID")
        .contains("cli-check", "ConnectivityCheck", "COMPLETED");

    CliRun described = cli("describe", "cli-check", "--json");
    assertThat(described.exitCode()).isZero();
    JsonNode view = JSON.readTree(described.out());
    assertThat(view.get("type").asText()).isEqualTo("ConnectivityCheck");
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
}
