package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.starter.TemporalOnPort;
import dev.opsflow.starter.api.FakeRunbookWorkflow;
import dev.opsflow.worker.Ports;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code opsflow runbook run} and {@code stats} against a Temporal test service on a port, with
 * {@link FakeRunbookWorkflow} standing in for the interpreter: what the CLI starts (the pinned
 * file, the dry-run ID, the simulated failures), what it prints when it waits, and what stats
 * counts.
 */
class RunbookRunIT {
  private static final String QUEUE = "runbook-cli-it";
  private static TemporalOnPort temporal;
  private static WorkflowServiceStubs stubs;
  private static WorkflowClient client;
  private static WorkerFactory workers;
  private static String address;

  @BeforeAll
  static void start() {
    int port = Ports.free();
    address = "127.0.0.1:" + port;
    temporal = TemporalOnPort.start(port);
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build());
    workers = WorkerFactory.newInstance(client);
    workers.newWorker(QUEUE).registerWorkflowImplementationTypes(FakeRunbookWorkflow.class);
    workers.start();
  }

  @AfterAll
  static void stop() throws Exception {
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    stubs.shutdownNow();
    temporal.close();
  }

  private static CliRun cli(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 6);
    System.arraycopy(
        new String[] {
          "--dir",
          RunbookCommandTest.SHIPPED.toString(),
          "--temporal-address",
          address,
          "--task-queue",
          QUEUE
        },
        0,
        all,
        args.length,
        6);
    return CliRun.of(all);
  }

  private static String workflowId(String out) {
    Matcher m = Pattern.compile("workflowId=(\\S+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  @Test
  void aDryRunWithWaitPinsTheFileAndPrintsItsStepsAndAStartedRunCountsInStats() throws Exception {
    CliRun dry =
        cli(
            "runbook",
            "run",
            "kafka-lag-recovery",
            "--context",
            "{\"namespace\":\"demo\",\"consumer\":\"orders\",\"groupId\":\"orders\",\"replicas\":4}",
            "--dry-run",
            "--simulate-failures",
            "scale-consumers",
            "--wait",
            "--by",
            "alice");

    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out())
        .startsWith("Started runbook kafka-lag-recovery 1.0.0 (sha256 ")
        .contains(" as a dry run  workflowId=runbook-kafka-lag-recovery-dry-run-")
        .containsPattern("scale-consumers +check +FAILED +- +simulated failure")
        .contains("kafka-lag-recovery SUCCEEDED in 0s");
    String dryId = workflowId(dry.out());
    var started =
        client
            .newUntypedWorkflowStub(dryId, Optional.empty(), Optional.empty())
            .getResult(dev.opsflow.contracts.runbook.RunbookResult.class);
    assertThat(started.sha256())
        .as("the run's input carries the file's hash")
        .isEqualTo(
            dev.opsflow.activities.runbook.RunbookLoader.read(
                    RunbookCommandTest.SHIPPED.resolve("kafka-lag-recovery.yaml"))
                .runbook()
                .sha256());

    CliRun real =
        cli(
            "runbook",
            "run",
            "idle-sessions",
            "--context",
            "{\"databases\":[\"orders\"]}",
            "--by",
            "alice");
    assertThat(real.exitCode()).as(real.err()).isZero();
    String realId = workflowId(real.out());
    assertThat(realId).startsWith("runbook-idle-sessions-").doesNotContain("dry-run");
    var stub = client.newUntypedWorkflowStub(realId, Optional.empty(), Optional.empty());
    assertThat(stub.describe().getWorkflowExecutionInfo().getType().getName())
        .isEqualTo(RunbookWorkflow.TYPE);
    stub.cancel("drill");
    org.awaitility.Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () ->
                stub.describe().getWorkflowExecutionInfo().getStatus()
                    == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);

    CliRun stats = CliRun.of("runbook", "stats", "--temporal-address", address);
    assertThat(stats.exitCode()).as(stats.err()).isZero();
    assertThat(stats.out().lines().toList())
        .hasSize(2)
        .satisfies(l -> assertThat(l.get(0)).startsWith("RUNBOOK").contains("FAILED_AT"))
        .satisfies(
            l ->
                assertThat(l.get(1))
                    .as("the dry run is not counted; the cancelled run is")
                    .matches("idle-sessions +1 +0% +0 +1 +\\d+s"));
  }
}
