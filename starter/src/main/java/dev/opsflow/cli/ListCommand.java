package dev.opsflow.cli;

import com.google.protobuf.Timestamp;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.api.filter.v1.StartTimeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    String namespace = temporal.client().getOptions().getNamespace();
    // List(Open|Closed)WorkflowExecutions work on the embedded service and on every real cluster;
    // the query-based ListWorkflowExecutions does not exist on the embedded one.
    StartTimeFilter anyTime =
        StartTimeFilter.newBuilder()
            .setEarliestTime(Timestamp.newBuilder().setSeconds(0))
            .setLatestTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 3600))
            .build();
    var service = temporal.stubs().blockingStub();
    List<WorkflowExecutionInfo> infos =
        closed
            ? service
                .listClosedWorkflowExecutions(
                    ListClosedWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(limit)
                        .setStartTimeFilter(anyTime)
                        .build())
                .getExecutionsList()
            : service
                .listOpenWorkflowExecutions(
                    ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(limit)
                        .setStartTimeFilter(anyTime)
                        .build())
                .getExecutionsList();
    List<Map<String, Object>> rows = new ArrayList<>();
    infos.stream()
        .sorted(
            (a, b) -> Long.compare(b.getStartTime().getSeconds(), a.getStartTime().getSeconds()))
        .limit(limit)
        .forEach(info -> rows.add(row(info)));
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
                r.get("workflowId"),
                r.get("type"),
                r.get("status"),
                r.get("startTime"),
                r.get("closeTime")));
    table.print(out());
    return 0;
  }

  static Map<String, Object> row(WorkflowExecutionInfo info) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("workflowId", info.getExecution().getWorkflowId());
    row.put("runId", info.getExecution().getRunId());
    row.put("type", info.getType().getName());
    row.put("status", Table.status(info.getStatus()));
    row.put("startTime", Table.instant(info.getStartTime()));
    row.put(
        "closeTime",
        info.hasCloseTime() && info.getCloseTime().getSeconds() > 0
            ? Table.instant(info.getCloseTime())
            : "");
    row.put("taskQueue", info.getTaskQueue());
    return row;
  }
}
