package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a workflow for its status (the 'status' query): phase, what it waits for, actions taken",
      "with their outcome, escalations. Works on running and finished workflows."
    })
final class StatusCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Override
  int run(TemporalConnection temporal) throws Exception {
    JsonNode status;
    try {
      status =
          temporal
              .client()
              .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty())
              .query("status", JsonNode.class);
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no workflow '" + workflowId + "'");
    } catch (WorkflowQueryException e) {
      throw new BadInputException(
          "WORKFLOW_ID: '"
              + workflowId
              + "' does not answer a 'status' query ("
              + e.getCause().getMessage()
              + ")");
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
    JsonNode escalations = status.path("escalations");
    if (escalations.isArray() && !escalations.isEmpty()) {
      out().println();
      escalations.forEach(e -> out().println("escalation: " + e.asText()));
    }
    out().flush();
    return 0;
  }
}
