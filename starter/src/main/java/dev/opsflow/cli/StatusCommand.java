package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a workflow for its status (the 'status' query): phase, what it waits for, actions taken",
      "with their outcome, escalations; and Temporal's runStatus with the failure or terminate",
      "reason of a run that ended so. Works on running and finished workflows."
    })
class StatusCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Override
  int run(TemporalConnection temporal) throws Exception {
    WorkflowExecutionInfo info;
    Map<String, Object> closed;
    try (Executions executions = new Executions(temporal.client())) {
      info =
          executions
              .info(workflowId)
              .orElseThrow(
                  () -> new BadInputException("WORKFLOW_ID: no workflow '" + workflowId + "'"));
      closed = executions.closeReason(info);
    }
    String runStatus = Executions.status(info.getStatus());
    ObjectNode status;
    try {
      JsonNode answer =
          temporal
              .client()
              .newUntypedWorkflowStub(
                  workflowId, Optional.of(info.getExecution().getRunId()), Optional.empty())
              .query("status", JsonNode.class);
      status = answer.isObject() ? (ObjectNode) answer : OperatorCommand.JSON.createObjectNode();
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no workflow '" + workflowId + "'");
    } catch (WorkflowQueryException e) {
      if (closed.isEmpty()) {
        throw new BadInputException(
            "WORKFLOW_ID: '"
                + workflowId
                + "' does not answer a 'status' query ("
                + e.getCause().getMessage()
                + ")");
      }
      // A run that failed before it could answer still has Temporal's reason to show.
      status = OperatorCommand.JSON.createObjectNode();
    }
    // Temporal's view of how the run ended, beside the run's own phase (which a failure can leave
    // behind): FAILED with the failure, TERMINATED with who and why.
    status.put("runStatus", runStatus);
    for (Map.Entry<String, Object> reason : closed.entrySet()) {
      status.put(reason.getKey(), String.valueOf(reason.getValue()));
    }
    if (json) {
      printJson(status);
      return 0;
    }
    Table summary = new Table("FIELD", "VALUE");
    status
        .fields()
        .forEachRemaining(
            f -> {
              if (!f.getValue().isContainerNode()) {
                summary.add(f.getKey(), f.getValue().asText());
              }
            });
    summary.print(out());
    JsonNode actions = status.path("actions");
    if (actions.isArray() && !actions.isEmpty()) {
      out().println();
      Table table = new Table("ACTION", "TARGET", "AT", "OK", "DETAIL");
      actions.forEach(
          a ->
              table.add(
                  a.path("action").asText(),
                  a.path("target").asText(),
                  java.time.Instant.ofEpochMilli(a.path("atMillis").asLong()),
                  a.path("success").asBoolean() ? "yes" : "FAILED",
                  a.path("detail").asText()));
      table.print(out());
    }
    JsonNode waiting = status.path("waitingFor");
    if (waiting.isArray() && !waiting.isEmpty()) {
      out().println();
      Table table = new Table("WAITS FOR", "ACTION", "MAY DECIDE", "APPROVALS", "SINCE", "ANSWER");
      waiting.forEach(
          w ->
              table.add(
                  w.path("kind").asText(),
                  w.path("action").asText()
                      + (w.path("detail").asText().isEmpty()
                          ? ""
                          : " (" + w.path("detail").asText() + ")"),
                  w.path("approvers").isEmpty()
                      ? "any operator"
                      : String.join(
                          ",",
                          OperatorCommand.JSON.convertValue(w.path("approvers"), String[].class)),
                  w.path("approvals").asInt() + "/" + w.path("required").asInt(),
                  java.time.Instant.ofEpochMilli(w.path("sinceMillis").asLong()),
                  String.join(
                      "|", OperatorCommand.JSON.convertValue(w.path("choices"), String[].class))));
      table.print(out());
    }
    JsonNode analysis = status.path("analysis");
    if (analysis.isArray() && !analysis.isEmpty()) {
      out().println();
      Table table = new Table("METRIC", "VERDICT", "OK/FAIL/INCONCL/ERR", "LAST", "LAST DETAIL");
      analysis.forEach(
          m ->
              table.add(
                  m.path("metric").asText() + (m.path("dryRun").asBoolean() ? " (dry run)" : ""),
                  m.path("verdict").asText(),
                  m.path("successful").asInt()
                      + "/"
                      + m.path("failed").asInt()
                      + "/"
                      + m.path("inconclusive").asInt()
                      + "/"
                      + m.path("errors").asInt(),
                  m.path("last").isObject()
                      ? m.path("last").path("phase").asText()
                          + " "
                          + m.path("last").path("values")
                          + (m.path("last").path("stableValues").isEmpty()
                              ? ""
                              : " vs stable " + m.path("last").path("stableValues"))
                      : "-",
                  m.path("last").path("message").asText("")));
      table.print(out());
    }
    JsonNode timeline = status.path("timeline");
    if (timeline.isArray() && !timeline.isEmpty()) {
      out().println();
      Table table = new Table("STEP", "AT", "OK", "BY", "DETAIL");
      timeline.forEach(
          t ->
              table.add(
                  t.path("step").asText()
                      + (t.has("canaryWeight") ? " @" + t.path("canaryWeight").asInt() + "%" : ""),
                  java.time.Instant.ofEpochMilli(t.path("atMillis").asLong()),
                  t.path("success").asBoolean(true) ? "yes" : "NO",
                  t.path("decidedBy").asText(""),
                  t.path("detail").asText()));
      table.print(out());
    }
    JsonNode escalations = status.path("escalations");
    if (escalations.isArray() && !escalations.isEmpty()) {
      out().println();
      escalations.forEach(e -> out().println("escalation: " + e.asText()));
    }
    out().flush();
    return 0;
  }
}
