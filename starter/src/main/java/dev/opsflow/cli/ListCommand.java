package dev.opsflow.cli;

import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List running workflows (or, with --closed, finished ones), newest first.")
final class ListCommand extends OperatorCommand {
  @Option(names = "--closed", description = "list closed workflows instead of running ones")
  boolean closed;

  @Option(
      names = "--limit",
      defaultValue = "50",
      description = "at most this many (default ${DEFAULT-VALUE})")
  int limit;

  @Override
  void validate() {
    if (limit < 1 || limit > 1000) {
      throw new BadInputException("--limit: must be between 1 and 1000, got " + limit);
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    List<Map<String, Object>> rows;
    try (Executions executions = new Executions(temporal.client())) {
      rows = executions.list(closed, limit);
    }
    if (json) {
      printJson(rows);
      return 0;
    }
    if (rows.isEmpty()) {
      out().println(closed ? "No closed workflows." : "No running workflows.");
      return 0;
    }
    Table table = new Table("WORKFLOW ID", "TYPE", "STATUS", "STARTED", "CLOSED");
    rows.forEach(
        r ->
            table.add(
                r.get("executionId"),
                r.get("workflowType"),
                r.get("status"),
                r.get("startTime"),
                r.get("closeTime")));
    table.print(out());
    return 0;
  }
}
