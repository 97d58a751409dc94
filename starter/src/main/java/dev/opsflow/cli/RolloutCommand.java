package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import picocli.CommandLine.Command;

/**
 * {@code opsflow rollout status|pause|resume|promote|promote-full|abort|retry ID}: each command
 * goes through the rollout's Update, so one that would not count in its state ("not paused",
 * "already rolled back") is refused here and now with the rollout's reason.
 */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    description = {
      "Follow and steer a rollout (CanaryRollout, BlueGreenDeployment, MlModelDeployment).",
      "Example: opsflow rollout status rollout-shop.web",
      "Example: opsflow rollout promote rollout-shop.web --comment 'dashboards look fine'"
    },
    subcommands = {
      RolloutCommand.Status.class,
      RolloutCommand.Pause.class,
      RolloutCommand.Resume.class,
      RolloutCommand.Promote.class,
      RolloutCommand.PromoteFull.class,
      RolloutCommand.Abort.class,
      RolloutCommand.Retry.class
    })
final class RolloutCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a rollout command is required (status, pause, promote, ...)");
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "The rollout's status: phase, step, weights, what waits for a human, every metric's last",
        "measurement, the timeline, and how a finished run ended."
      })
  static final class Status extends StatusCommand {}

  /** One command sent through the rollout's Update of the same name. */
  abstract static class Steer extends AnswerCommand {
    /** The Update's name ({@link RolloutNames}): the verb's, in camel case for promote-full. */
    String command() {
      return spec.name().equals("promote-full") ? RolloutNames.PROMOTE_FULL : spec.name();
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      Decision decision = decision();
      String who = decision.by();
      JsonNode status;
      try (Executions executions = new Executions(temporal.client())) {
        status =
            executions.steer(
                workflowId, command(), new Decision(who, comment == null ? "" : comment));
      } catch (WorkflowNotFoundException e) {
        throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
      } catch (WorkflowUpdateException e) {
        return refused(command(), e);
      }
      if (json) {
        printJson(status);
        return 0;
      }
      out()
          .printf(
              "%s: %s by %s counted; now %s, step %d/%d, new version at %d%%%s%n",
              workflowId,
              command(),
              who,
              status.path("phase").asText(),
              status.path("step").asInt(),
              status.path("steps").asInt(),
              status.path("canaryWeight").asInt(),
              status.path("waitingFor").asText("").isEmpty()
                  ? ""
                  : "; waits for: " + status.path("waitingFor").asText());
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Hold the rollout at its current weight until resumed; analysis goes on.")
  static final class Pause extends Steer {}

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "End a pause asked for with 'opsflow rollout pause'.")
  static final class Resume extends Steer {}

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description = {
        "End the current step's pause now and go on to the next step (also an indefinite pause,",
        "and one an inconclusive analysis asked you about)."
      })
  static final class Promote extends Steer {}

  @Command(
      name = "promote-full",
      mixinStandardHelpOptions = true,
      description = "Skip every remaining step and analysis: the new version takes all traffic.")
  static final class PromoteFull extends Steer {}

  @Command(
      name = "abort",
      mixinStandardHelpOptions = true,
      description =
          "Stop and roll back: no traffic to the new version, the stable one at full size.")
  static final class Abort extends Steer {}

  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "After an abort or a rollback, start the rollout again from its first step.")
  static final class Retry extends Steer {}
}
