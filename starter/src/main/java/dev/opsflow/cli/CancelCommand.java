package dev.opsflow.cli;

import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description =
        "Request cancellation of a running workflow; it runs its cleanup before it stops.")
final class CancelCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--reason", description = "why (recorded in the workflow's history)")
  String reason;

  @Override
  int run(TemporalConnection temporal) throws Exception {
    WorkflowStub stub =
        temporal.client().newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
    try {
      if (reason == null) {
        stub.cancel();
      } else {
        stub.cancel(reason);
      }
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
    }
    out().printf("Cancellation requested for %s%n", workflowId);
    out().flush();
    return 0;
  }
}
