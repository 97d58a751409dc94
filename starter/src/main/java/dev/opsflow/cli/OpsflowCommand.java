package dev.opsflow.cli;

import dev.opsflow.config.ConfigException;
import dev.opsflow.worker.JvmDefaults;
import dev.opsflow.worker.PortInUseException;
import dev.opsflow.worker.TemporalUnavailableException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code opsflow} command line of the production artifact. The dev module's build adds the
 * {@code dev} verb through {@link #newCommandLine(Object...)}, so the server and worker artifacts
 * carry no embedded Temporal service and no sandbox.
 */
@Command(
    name = "opsflow",
    mixinStandardHelpOptions = true,
    versionProvider = OpsflowCommand.Version.class,
    description = "Durable operations automation on Temporal.",
    subcommands = {
      WorkerCommand.class,
      StarterCommand.class,
      StartCommand.class,
      FailoverCommand.class,
      RolloutCommand.class,
      RunbookCommand.class,
      ListCommand.class,
      DescribeCommand.class,
      StatusCommand.class,
      SignalCommand.class,
      ApprovalsCommand.class,
      DecideCommand.Approve.class,
      DecideCommand.Reject.class,
      CancelCommand.class,
      TerminateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class OpsflowCommand implements Runnable {
  /** Exit code for a runtime failure (workflow failed, Temporal unreachable). */
  public static final int FAILED = 1;

  /** Exit code for bad input (picocli's usage-error code). */
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    JvmDefaults.apply();
    System.exit(newCommandLine().execute(args));
  }

  /**
   * The configured command line: errors print one clear line instead of a stack trace.
   *
   * @param moreVerbs {@code @Command} objects of a larger build (the dev module's {@code dev}),
   *     listed before {@code help}
   */
  public static CommandLine newCommandLine(Object... moreVerbs) {
    CommandLine cli = new CommandLine(new OpsflowCommand());
    if (moreVerbs.length > 0) {
      // help stays the last verb in the usage text, as in the production build.
      CommandLine help = cli.getCommandSpec().removeSubcommand("help");
      for (Object verb : moreVerbs) {
        cli.addSubcommand(verb);
      }
      cli.addSubcommand(help);
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof BadInputException || e instanceof ConfigException) {
            err.println("opsflow: " + e.getMessage());
            return BAD_INPUT;
          }
          if (e instanceof PortInUseException || e instanceof TemporalUnavailableException) {
            err.println("opsflow: " + e.getMessage());
            return FAILED;
          }
          err.println("opsflow: " + e);
          return FAILED;
        });
    return cli;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = OpsflowCommand.class.getPackage().getImplementationVersion();
      return new String[] {"opsflow " + (v == null ? "(development build)" : v)};
    }
  }
}
