package dev.opsflow.cli;

import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code opsflow approve|reject ID}: the decision goes through the run's Update, so one that would
 * not count (not an approver, four-eyes, nothing waiting) is refused here and now, with the run's
 * reason, instead of being recorded and ignored as a signal would be.
 */
abstract class DecideCommand extends AnswerCommand {
  abstract boolean approve();

  @Override
  int run(TemporalConnection temporal) throws Exception {
    Decision decision = decision();
    String who = decision.by();
    String verb = approve() ? "approve" : "reject";
    ApprovalStatus status;
    try (Executions executions = new Executions(temporal.client())) {
      status = executions.decide(workflowId, approve(), decision);
    } catch (WorkflowNotFoundException e) {
      throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
    } catch (WorkflowUpdateException e) {
      return refused(verb, e);
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
