package dev.opsflow.cli;

import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Refusal;
import io.temporal.client.WorkflowUpdateException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A human's answer to one run (approve, reject, a rollout command): who answers, why, and the run's
 * refusal printed with its reason when the answer did not count.
 */
abstract class AnswerCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--comment", description = "why (recorded with the answer)")
  String comment;

  @Option(names = "--by", description = "who answers (default: your login name, ${sys:user.name})")
  String by;

  @Override
  void validate() {
    if (by != null && by.isBlank()) {
      throw new BadInputException("--by: must not be empty");
    }
  }

  /** The answer's payload: who, and why. */
  Decision decision() {
    return new Decision(byOrLogin(by), comment == null ? "" : comment);
  }

  /** Prints the run's refusal and returns the exit code for it. */
  int refused(String verb, WorkflowUpdateException e) {
    String type = Refusal.typeOf(e);
    spec.commandLine()
        .getErr()
        .printf(
            "opsflow: your %s did not count: %s%s%n",
            verb, Refusal.messageOf(e), type.isEmpty() ? "" : " [" + type + "]");
    return OpsflowCommand.FAILED;
  }
}
