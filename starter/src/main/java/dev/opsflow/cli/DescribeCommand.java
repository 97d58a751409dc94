package dev.opsflow.cli;

import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description =
        "Show a workflow's status, timing, why it ended (failure or terminate reason) and pending"
            + " activities (with their last failure).")
final class DescribeCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--run-id", description = "a specific run (default: the latest)")
  String runId;

  @Override
  int run(TemporalConnection temporal) throws Exception {
    DescribeWorkflowExecutionResponse response;
    try {
      response =
          temporal
              .stubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(temporal.client().getOptions().getNamespace())
                      .setExecution(
                          WorkflowExecution.newBuilder()
                              .setWorkflowId(workflowId)
                              .setRunId(runId == null ? "" : runId))
                      .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new BadInputException(
            "WORKFLOW_ID: no workflow '" + workflowId + "' in this namespace");
      }
      throw e;
    }
    Map<String, Object> view = Executions.row(response.getWorkflowExecutionInfo());
    view.put("historyLength", response.getWorkflowExecutionInfo().getHistoryLength());
    try (Executions executions = new Executions(temporal.client())) {
      // A failed run's reason is on its close event, not in DescribeWorkflowExecution.
      view.putAll(executions.closeReason(response.getWorkflowExecutionInfo()));
    }
    List<Map<String, Object>> pending = new ArrayList<>();
    for (PendingActivityInfo a : response.getPendingActivitiesList()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("activityType", a.getActivityType().getName());
      p.put("state", a.getState().name().replace("PENDING_ACTIVITY_STATE_", ""));
      p.put("attempt", a.getAttempt());
      p.put("lastFailure", a.hasLastFailure() ? a.getLastFailure().getMessage() : "");
      pending.add(p);
    }
    view.put("pendingActivities", pending);
    if (json) {
      printJson(view);
      return 0;
    }
    Table table = new Table("FIELD", "VALUE");
    view.forEach(
        (k, v) -> {
          if (!k.equals("pendingActivities")) {
            table.add(k, v);
          }
        });
    table.print(out());
    if (!pending.isEmpty()) {
      out().println();
      Table activities = new Table("PENDING ACTIVITY", "STATE", "ATTEMPT", "LAST FAILURE");
      pending.forEach(
          p ->
              activities.add(
                  p.get("activityType"), p.get("state"), p.get("attempt"), p.get("lastFailure")));
      activities.print(out());
    }
    return 0;
  }
}
