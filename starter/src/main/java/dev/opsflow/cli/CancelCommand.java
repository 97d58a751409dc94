package dev.opsflow.cli;

import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
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

  @Option(names = "--reason", description = "why (recorded in the run and its history)")
  String reason;

  @Option(names = "--by", description = "who cancels (default: your login name, ${sys:user.name})")
  String by;

  @Override
  int run(TemporalConnection temporal) throws Exception {
    String recorded = Executions.cancelReason(byOrLogin(by), "the opsflow CLI", reason);
    Optional<String> refused;
    try (Executions executions = new Executions(temporal.client())) {
      refused = executions.cancel(workflowId, recorded);
    }
    if (refused.isPresent()) {
      throw new BadInputException("WORKFLOW_ID: " + refused.get());
    }
    out().printf("Cancellation requested for %s (%s)%n", workflowId, recorded);
    out().flush();
    return 0;
  }
}
