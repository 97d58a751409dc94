package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.starter.api.OperatorStart;
import dev.opsflow.worker.TemporalConnection;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Start a workflow by type name with JSON input, as tctl / the temporal CLI do.",
      "A remediation is checked first (target names, severity; no policy, no workflow ID) and",
      "delivered like an alert, on its problem's workflow ID: two starts for one problem are one run.",
      "Example: opsflow start ConnectivityCheck --input '{\"systems\":[\"kafka\"]}' --wait",
      "Example: opsflow start CrashLoopRemediation --input-file examples/inputs/CrashLoopRemediation.json"
    })
final class StartCommand extends OperatorCommand {
  @Parameters(
      index = "0",
      paramLabel = "WORKFLOW_TYPE",
      description = "workflow type name, e.g. ConnectivityCheck")
  String type;

  @Option(
      names = "--input",
      paramLabel = "JSON",
      description = "workflow input as JSON (default {})")
  String input;

  @Option(
      names = "--input-file",
      paramLabel = "FILE",
      description = "read the JSON input from a file")
  Path inputFile;

  @Option(
      names = "--workflow-id",
      description =
          "workflow ID (default <type>-<random>; not for remediations, whose ID is their problem's)")
  String workflowId;

  @Option(
      names = "--by",
      description = "who starts a remediation (default: your login name, ${sys:user.name})")
  String by;

  @Option(
      names = "--task-queue",
      description = "task queue (default ${DEFAULT-VALUE})",
      defaultValue = TaskQueues.OPERATIONS)
  String taskQueue;

  @Option(names = "--wait", description = "wait for the result and print it")
  boolean waitForResult;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "seconds to wait with --wait (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  private JsonNode arg;
  private RemediationRequest remediation;

  @Override
  void validate() {
    if (TaskQueues.OPERATIONS.equals(taskQueue) && !WorkflowCatalog.typeNames().contains(type)) {
      throw new BadInputException(
          "WORKFLOW_TYPE: unknown workflow type '"
              + type
              + "'; known types: "
              + String.join(", ", WorkflowCatalog.typeNames()));
    }
    if (input != null && inputFile != null) {
      throw new BadInputException("--input and --input-file: give one, not both");
    }
    if (timeoutSeconds < 1) {
      throw new BadInputException("--timeout: must be at least 1 second, got " + timeoutSeconds);
    }
    String option = inputFile != null ? "--input-file" : "--input";
    arg = parseJson(option, inputText());
    if (WorkflowCatalog.remediationTypeNames().contains(type)) {
      if (workflowId != null) {
        throw new BadInputException(
            "--workflow-id: a remediation's workflow ID is derived from its problem (procedure and"
                + " target), so one problem is one run; leave it out");
      }
      try {
        remediation =
            OperatorStart.request(type, arg, byOrLogin(by), "the opsflow CLI", Instant.now());
      } catch (OperatorStart.Refused e) {
        throw new BadInputException(option + ": " + e.describe(""));
      }
    } else if (by != null) {
      throw new BadInputException("--by: only for remediations (who asks for the run)");
    }
    if (arg == null) {
      arg = JSON.createObjectNode();
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    if (remediation != null) {
      try (Executions executions = new Executions(temporal.client())) {
        DispatchResult delivered = executions.remediate(remediation, taskQueue);
        WorkflowStub stub = executions.run(delivered.workflowId(), delivered.runId());
        return report(
            stub,
            WorkflowExecution.newBuilder()
                .setWorkflowId(delivered.workflowId())
                .setRunId(delivered.runId())
                .build());
      }
    }
    String id =
        workflowId != null
            ? workflowId
            : type.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
    WorkflowStub stub =
        temporal
            .client()
            .newUntypedWorkflowStub(
                type,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(taskQueue).build());
    WorkflowExecution execution;
    try {
      execution = stub.start(arg);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new BadInputException(
          "--workflow-id: a workflow with ID '" + id + "' is already running");
    }
    return report(stub, execution);
  }

  /** Prints what was started, and with --wait its result. */
  private int report(WorkflowStub stub, WorkflowExecution execution) throws Exception {
    String id = execution.getWorkflowId();
    Map<String, Object> started = new LinkedHashMap<>();
    started.put("workflowId", execution.getWorkflowId());
    started.put("runId", execution.getRunId());
    started.put("type", type);
    started.put("taskQueue", taskQueue);
    if (remediation != null) {
      started.put("target", remediation.target().key());
      started.put("severity", remediation.severity());
      started.put("requestedBy", remediation.requestedBy());
    }
    if (!waitForResult) {
      if (json) {
        printJson(started);
      } else {
        out()
            .printf(
                "Started %s  workflowId=%s  runId=%s%n",
                type, execution.getWorkflowId(), execution.getRunId());
      }
      return 0;
    }
    try {
      JsonNode result = stub.getResult(timeoutSeconds, TimeUnit.SECONDS, JsonNode.class);
      started.put("status", "COMPLETED");
      started.put("result", result);
      if (json) {
        printJson(started);
      } else {
        out()
            .printf(
                "Workflow %s completed. Result:%n%s%n",
                execution.getWorkflowId(), JSON.writeValueAsString(result));
      }
      return 0;
    } catch (TimeoutException e) {
      out()
          .printf(
              "Workflow %s still running after %ds; follow it with: opsflow describe %s%n",
              id, timeoutSeconds, id);
      return OpsflowCommand.FAILED;
    } catch (WorkflowFailedException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      spec.commandLine().getErr().printf("Workflow %s failed: %s%n", id, cause.getMessage());
      return OpsflowCommand.FAILED;
    }
  }

  private String inputText() {
    if (inputFile == null) {
      return input;
    }
    try {
      return Files.readString(inputFile);
    } catch (IOException e) {
      throw new BadInputException(
          "--input-file: cannot read " + inputFile + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
