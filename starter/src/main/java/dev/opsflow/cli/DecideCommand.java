package dev.opsflow.cli;

import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code opsflow approve|reject ID}: the decision goes through the run's Update, so one that would
 * not count (not an approver, four-eyes, nothing waiting) is refused here and now, with the run's
 * reason, instead of being recorded and ignored as a signal would be.
 */
abstract class DecideCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--comment", description = "why (recorded with the decision)")
  String comment;

  @Option(names = "--by", description = "who decides (default: your login name, ${sys:user.name})")
  String by;

  abstract boolean approve();

  @Override
  void validate() {
    if (by != null && by.isBlank()) {
      throw new BadInputException("--by: must not be empty");
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    String who = byOrLogin(by);
    String verb = approve() ? "approve" : "reject";
    ApprovalStatus status;
    try (Executions executions = new Executions(temporal.client())) {
      status =
          executions.decide(
              workflowId, approve(), new Decision(who, comment == null ? "" : comment));
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
    } catch (WorkflowUpdateException e) {
      spec.commandLine()
          .getErr()
          .printf(
              "opsflow: your %s did not count: %s%n",
              verb, Refusal.messageOf(e) + " [" + Refusal.typeOf(e) + "]");
      return OpsflowCommand.FAILED;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("workflowId", workflowId);
    answer.put("decision", verb);
    answer.put("by", who);
    answer.put("state", status.state().name());
    answer.put("approvals", status.approvals());
    answer.put("required", status.required());
    if (json) {
      printJson(answer);
      return 0;
    }
    out()
        .printf(
            "%s: %s by %s counted; the request is %s (%d of %d approvals)%n",
            workflowId, verb, who, status.state(), status.approvals(), status.required());
    out().flush();
    return 0;
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = {
        "Approve what a run waits for (its 'approve' Update). Refused at once, with the run's",
        "reason, when you are not an approver, requested it yourself (four-eyes), or nothing waits."
      })
  static final class Approve extends DecideCommand {
    @Override
    boolean approve() {
      return true;
    }
  }

  @Command(
      name = "reject",
      mixinStandardHelpOptions = true,
      description = "Reject what a run waits for (its 'reject' Update); refused like approve.")
  static final class Reject extends DecideCommand {
    @Override
    boolean approve() {
      return false;
    }
  }
}
