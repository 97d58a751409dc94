package dev.opsflow.cli;

import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "terminate",
    mixinStandardHelpOptions = true,
    description = {
      "Terminate a running workflow at once, for a run that cancel cannot stop. Nothing of its",
      "cleanup runs (an open approval stays unanswered, a governor slot is freed when its lease",
      "ends); the reason is recorded in its history as \"terminated by BY via the opsflow CLI: REASON\"."
    })
final class TerminateCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(
      names = "--reason",
      required = true,
      description = "why (required; recorded in the run's history)")
  String reason;

  @Option(
      names = "--by",
      description = "who terminates (default: your login name, ${sys:user.name})")
  String by;

  @Override
  void validate() {
    if (reason == null || reason.isBlank()) {
      throw new BadInputException("--reason: must not be empty");
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    String recorded = Executions.terminateReason(byOrLogin(by), "the opsflow CLI", reason);
    Optional<String> refused;
    try (Executions executions = new Executions(temporal.client())) {
      Optional<WorkflowExecutionInfo> run = executions.info(workflowId);
      if (run.isEmpty()) {
        throw new BadInputException("WORKFLOW_ID: no workflow '" + workflowId + "'");
      }
      refused = executions.terminate(run.get(), recorded);
    }
    if (refused.isPresent()) {
      throw new BadInputException("WORKFLOW_ID: " + refused.get());
    }
    out().printf("Terminated %s (%s)%n", workflowId, recorded);
    out().flush();
    return 0;
  }
}
