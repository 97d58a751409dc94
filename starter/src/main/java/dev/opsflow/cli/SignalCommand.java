package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "signal",
    mixinStandardHelpOptions = true,
    description = "Send a signal with JSON input to a running workflow (e.g. approve, reject).")
final class SignalCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Parameters(index = "1", paramLabel = "SIGNAL")
  String signal;

  @Option(names = "--input", paramLabel = "JSON", description = "signal argument as JSON")
  String input;

  private JsonNode arg;

  @Override
  void validate() {
    arg = parseJson("--input", input);
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    WorkflowStub stub =
        temporal.client().newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
    try {
      if (arg == null) {
        stub.signal(signal);
      } else {
        stub.signal(signal, arg);
      }
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
    }
    out().printf("Signal %s sent to %s%n", signal, workflowId);
    out().flush();
    return 0;
  }
}
