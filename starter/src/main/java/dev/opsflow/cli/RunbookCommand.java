package dev.opsflow.cli;

import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookProblem;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code opsflow runbook ...}: runbooks as data. {@code validate}, {@code list} and {@code show}
 * read files only: they need no server and no Temporal, so they run in CI and in an editor's
 * pre-commit hook.
 */
@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    description = {
      "Runbooks as data: YAML files in the language of runbooks/schema/runbook.schema.json.",
      "Example: opsflow runbook validate runbooks/*.yaml"
    },
    subcommands = {
      RunbookCommand.ListRunbooks.class,
      RunbookCommand.Show.class,
      RunbookCommand.Validate.class,
      CommandLine.HelpCommand.class
    })
final class RunbookCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a runbook command is required (list, show, validate)");
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

  /**
   * The runbooks folder a verb reads: {@code --dir}, else the configuration's {@code runbooks.dir}
   * (the file and the environment, as the server reads them).
   */
  static final class Folder {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "runbooks folder (default: runbooks.dir of the configuration, else runbooks)")
    Path dir;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "opsflow.yaml for runbooks.dir (default: $OPSFLOW_CONFIG, else ./opsflow.yaml)")
    Path config;

    Path dir() {
      if (dir != null) {
        return dir;
      }
      ConnectionOptions options = new ConnectionOptions();
      options.config = config;
      return Path.of(options.load().runbooks().dir());
    }

    /** The folder's runbooks; each invalid file is named on {@code err}, never started. */
    RunbookFolder read(PrintWriter err) {
      Path folder = dir();
      if (!Files.isDirectory(folder)) {
        throw new BadInputException(
            "--dir: " + folder + " is not a folder (runbooks.dir, env RUNBOOKS_DIR)");
      }
      RunbookFolder read;
      try {
        read = RunbookFolder.read(folder);
      } catch (IOException e) {
        throw new BadInputException("--dir: cannot list " + folder + ": " + e.getMessage());
      }
      for (RunbookValidation invalid : read.skipped()) {
        err.printf(
            "opsflow: %s is invalid and cannot be started (%d problem(s); opsflow runbook validate"
                + " %s)%n",
            invalid.source(), invalid.problems().size(), invalid.source());
      }
      err.flush();
      return read;
    }

    /** The runbook with this id, or exit 2 naming it and the known ones. */
    PinnedRunbook runbook(String id, PrintWriter err) {
      RunbookFolder folder = read(err);
      return folder
          .runbook(id)
          .orElseThrow(
              () ->
                  new BadInputException(
                      "ID: no runbook '"
                          + id
                          + "' in "
                          + folder.dir()
                          + "; known: "
                          + (folder.runbooks().isEmpty()
                              ? "(none)"
                              : String.join(", ", folder.runbooks().keySet()))));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List the runbooks of the folder (runbooks.dir): id, name, version, tags, steps and the",
        "minutes one run saves a human. Reads files only. An invalid file is named on stderr.",
        "Example: opsflow runbook list --dir runbooks"
      })
  static final class ListRunbooks implements Callable<Integer> {
    @Mixin Folder folder;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      RunbookFolder read = folder.read(spec.commandLine().getErr());
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PinnedRunbook pinned : read.runbooks().values()) {
          RunbookDefinition r = pinned.definition();
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", r.id());
          row.put("name", r.name());
          row.put("version", r.version());
          row.put("tags", r.tags());
          row.put("steps", r.steps().size());
          row.put("manualMinutes", r.manualMinutes());
          row.put("source", pinned.source());
          row.put("sha256", pinned.sha256());
          rows.add(row);
        }
        out.println(OperatorCommand.JSON.writeValueAsString(rows));
        out.flush();
        return 0;
      }
      Table table = new Table("ID", "NAME", "VERSION", "TAGS", "STEPS", "MANUAL_MIN");
      for (PinnedRunbook pinned : read.runbooks().values()) {
        RunbookDefinition r = pinned.definition();
        table.add(
            r.id(),
            r.name(),
            r.version(),
            String.join(",", r.tags()),
            r.steps().size(),
            r.manualMinutes() == null ? "-" : r.manualMinutes());
      }
      table.print(out);
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Print a runbook's steps and transitions. With --mermaid, also its Mermaid flowchart",
        "(onSuccess/onFailure edges, decision branches, parallel branches and loop bodies as",
        "dotted edges): to FILE when given (for a README or a review), else to stdout instead of",
        "the table. Reads files only; exit 2 for an unknown ID.",
        "Example: opsflow runbook show high-error-rate --mermaid docs/high-error-rate.mmd"
      })
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "the runbook's id")
    String id;

    @Option(
        names = "--mermaid",
        arity = "0..1",
        paramLabel = "FILE",
        fallbackValue = "-",
        description =
            "write the Mermaid flowchart to FILE (no FILE: print it instead of the table)")
    String mermaid;

    @Mixin Folder folder;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PinnedRunbook pinned = folder.runbook(id, spec.commandLine().getErr());
      RunbookGraph graph = new RunbookGraph(pinned.definition());
      if ("-".equals(mermaid)) {
        out.print(graph.mermaid());
        out.flush();
        return 0;
      }
      RunbookDefinition r = pinned.definition();
      out.printf("%s: %s%n", r.id(), r.name());
      out.printf(
          "version %s  sha256 %s  source %s%n",
          r.version(), pinned.sha256().substring(0, 12), pinned.source());
      if (!r.tags().isEmpty()) {
        out.printf("tags %s%n", String.join(", ", r.tags()));
      }
      out.printf("starts with %s%n%n", r.startWith());
      Table table = new Table("STEP", "TYPE", "WHAT", "NEXT");
      graph.rows().forEach(row -> table.add((Object[]) row));
      table.print(out);
      if (mermaid != null) {
        Path file = Path.of(mermaid);
        try {
          Files.writeString(file, graph.mermaid(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new BadInputException("--mermaid: cannot write " + file + ": " + e.getMessage());
        }
        out.printf("%nMermaid flowchart written to %s%n", file);
        out.flush();
      }
      return 0;
    }
  }
}
