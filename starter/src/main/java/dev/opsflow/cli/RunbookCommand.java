package dev.opsflow.cli;

import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookProblem;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code opsflow runbook ...}: runbooks as data. {@code validate} reads files only: it needs no
 * server and no Temporal, so it runs in CI and in an editor's pre-commit hook.
 */
@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    description = {
      "Runbooks as data: YAML files in the language of runbooks/schema/runbook.schema.json.",
      "Example: opsflow runbook validate runbooks/*.yaml"
    },
    subcommands = {RunbookCommand.Validate.class, CommandLine.HelpCommand.class})
final class RunbookCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a runbook command is required (validate)");
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check runbook files as the server does before it runs one: the schema, step references,",
        "unreachable steps, loops that can spin without a wait, the catalog's actions and their",
        "parameters, and CEL expressions. Exit 0 when every file is valid; else 2, with each",
        "problem on stderr as FILE:LINE: step: field: message.",
        "Example: opsflow runbook validate runbooks/*.yaml"
      })
  static final class Validate implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "runbook YAML files")
    List<Path> files;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int invalid = 0;
      for (Path file : files) {
        RunbookValidation validation = RunbookLoader.read(file);
        if (validation.valid()) {
          RunbookDefinition runbook = validation.runbook().definition();
          out.printf(
              "%s: valid: %s version %s, %d steps, sha256 %s%n",
              file,
              runbook.id(),
              runbook.version(),
              runbook.steps().size(),
              validation.runbook().sha256().substring(0, 12));
        } else {
          invalid++;
          for (RunbookProblem problem : validation.problems()) {
            err.println(problem);
          }
        }
      }
      out.flush();
      err.flush();
      if (invalid > 0) {
        err.printf("opsflow: %d of %d runbook(s) invalid%n", invalid, files.size());
        return OpsflowCommand.BAD_INPUT;
      }
      return 0;
    }
  }
}
