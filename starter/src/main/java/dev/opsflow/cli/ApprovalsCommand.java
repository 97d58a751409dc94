package dev.opsflow.cli;

import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.starter.api.ApprovalInbox;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "approvals",
    mixinStandardHelpOptions = true,
    description = {
      "Every running run that waits for a human, across all workflow types, oldest first: what it",
      "wants to do, who may decide, since when. Answer with: opsflow approve|reject WORKFLOW_ID,",
      "or for a failed step: opsflow signal WORKFLOW_ID retryStep|skipStep|failStep --input '{\"by\":\"you\"}'"
    })
final class ApprovalsCommand extends OperatorCommand {
  @Option(
      names = "--kind",
      description = "only '" + HumanTask.APPROVAL + "' or only '" + HumanTask.FAILED_STEP + "'")
  String kind;

  @Override
  void validate() {
    if (kind != null && !kind.equals(HumanTask.APPROVAL) && !kind.equals(HumanTask.FAILED_STEP)) {
      throw new BadInputException(
          "--kind: expected '" + HumanTask.APPROVAL + "' or '" + HumanTask.FAILED_STEP + "'");
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    ApprovalInbox.Inbox inbox;
    try (Executions executions = new Executions(temporal.client())) {
      inbox = new ApprovalInbox(executions).read(kind);
    }
    if (json) {
      printJson(inbox.toJson());
      return 0;
    }
    if (inbox.waiting().isEmpty()) {
      out().printf("Nothing waits for a human (%d running runs looked at).%n", inbox.scanned());
    } else {
      Table table =
          new Table(
              "WORKFLOW ID",
              "TYPE",
              "TARGET",
              "WAITS FOR",
              "ACTION",
              "MAY DECIDE",
              "APPROVALS",
              "SINCE",
              "DEADLINE");
      for (ApprovalInbox.Waiting w : inbox.waiting()) {
        HumanTask t = w.task();
        table.add(
            w.executionId(),
            w.workflowType(),
            w.target(),
            t.kind(),
            t.action(),
            t.approvers().isEmpty() ? "any operator" : String.join(",", t.approvers()),
            t.kind().equals(HumanTask.APPROVAL) ? t.approvals() + "/" + t.required() : "",
            Instant.ofEpochMilli(t.sinceMillis()),
            t.deadlineMillis() > 0 ? Instant.ofEpochMilli(t.deadlineMillis()) : "");
      }
      table.print(out());
    }
    if (!inbox.unreadable().isEmpty()) {
      out()
          .printf(
              "%d running runs did not answer the progress query (a type without it, or no"
                  + " worker): %s%n",
              inbox.unreadable().size(), String.join(", ", inbox.unreadable()));
    }
    out().flush();
    return 0;
  }
}
