package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookProblem;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.PlannedAction;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.starter.api.RunbookDoor;
import dev.opsflow.starter.api.RunbookStats;
import dev.opsflow.worker.TemporalConnection;
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
      RunbookCommand.Run.class,
      RunbookCommand.Stats.class,
      RunbookCommand.Validate.class,
      CommandLine.HelpCommand.class
    })
final class RunbookCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a runbook command is required (list, show, run, stats, validate)");
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
      return Folder.read(dir(), err);
    }

    /** The runbook with this id, or exit 2 naming it and the known ones. */
    PinnedRunbook runbook(String id, PrintWriter err) {
      return Folder.runbook(read(err), id);
    }

    static RunbookFolder read(Path folder, PrintWriter err) {
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

    static PinnedRunbook runbook(RunbookFolder folder, String id) {
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

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Start a runbook of the folder (runbooks.dir) as RunbookWorkflow, its definition pinned",
        "into the run's input (content and sha256), on workflow ID runbook-ID-<time>-<random>",
        "(a dry run: runbook-ID-dry-run-...). The input is checked before connecting: exit 2 for",
        "an unknown ID, a --context that is no JSON object or gives a variable the wrong kind,",
        "or an unknown step in --simulate-failures. With --wait: the step records (and a dry",
        "run's plan), exit 0 when it SUCCEEDED, else 1.",
        "Example: opsflow runbook run high-error-rate --context '{\"service\":\"orders\","
            + "\"namespace\":\"demo\",\"replicas\":2}' --dry-run --wait"
      })
  static final class Run extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the runbook's id")
    String id;

    @Option(
        names = "--context",
        paramLabel = "JSON",
        description = "the run's input, a JSON object (default {})")
    String context;

    @Option(
        names = "--dry-run",
        description = "walk the runbook, run only what reads, report each action it would take")
    boolean dryRun;

    @Option(
        names = "--simulate-failures",
        paramLabel = "STEP,STEP",
        description = "test mode: these steps fail without running")
    String simulateFailures;

    @Option(names = "--wait", description = "wait for the run to end and print its steps")
    boolean waitForEnd;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "600",
        description =
            "with --wait: give up waiting after this (default ${DEFAULT-VALUE}); the run"
                + " goes on")
    int timeoutSeconds;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "runbooks folder (default: runbooks.dir of the configuration, else runbooks)")
    Path dir;

    @Option(names = "--by", description = "who asks (default: your login name, ${sys:user.name})")
    String by;

    @Option(
        names = "--task-queue",
        description = "task queue (default ${DEFAULT-VALUE})",
        defaultValue = dev.opsflow.workflows.TaskQueues.OPERATIONS)
    String taskQueue;

    private RunbookRequest request;
    private String workflowId;

    @Override
    void validate() {
      if (by != null && by.isBlank()) {
        throw new BadInputException("--by: must not be empty");
      }
      if (timeoutSeconds < 1) {
        throw new BadInputException("--timeout: must be at least 1 second");
      }
      Path folder = dir != null ? dir : Path.of(connection.load().runbooks().dir());
      RunbookFolder runbooks = Folder.read(folder, spec.commandLine().getErr());
      Folder.runbook(runbooks, id);
      JsonNode input = parseJson("--context", context);
      try {
        request =
            RunbookDoor.request(
                runbooks, id, input, dryRun, RunbookDoor.steps(simulateFailures), byOrLogin(by));
        workflowId = RunbookDoor.workflowId(request, null);
      } catch (RunbookDoor.Refused e) {
        String field = e.field();
        throw new BadInputException(
            (field.startsWith("context")
                    ? "--context: " + field
                    : field.startsWith("simulateFailures")
                        ? "--simulate-failures: " + field
                        : field)
                + e.getMessage().substring(field.length()));
      }
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      RunStarted started = RunbookDoor.start(temporal.client(), taskQueue, workflowId, request);
      PinnedRunbook pinned = request.runbook();
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("workflowId", started.workflowId());
      answer.put("runId", started.runId());
      answer.put("runbookId", pinned.definition().id());
      answer.put("version", pinned.definition().version());
      answer.put("sha256", pinned.sha256());
      answer.put("dryRun", dryRun);
      PrintWriter out = out();
      if (!json) {
        out.printf(
            "Started runbook %s %s (sha256 %s)%s  workflowId=%s  runId=%s%n"
                + "Follow with: opsflow status %s   cancel with: opsflow cancel %s%n",
            pinned.definition().id(),
            pinned.definition().version(),
            pinned.sha256().substring(0, 12),
            dryRun ? " as a dry run" : "",
            started.workflowId(),
            started.runId(),
            started.workflowId(),
            started.workflowId());
        out.flush();
      }
      if (!waitForEnd) {
        if (json) {
          printJson(answer);
        }
        return 0;
      }
      RunbookResult result;
      io.temporal.client.WorkflowStub stub =
          temporal
              .client()
              .newUntypedWorkflowStub(
                  started.workflowId(),
                  java.util.Optional.of(started.runId()),
                  java.util.Optional.empty());
      long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
      try {
        result = awaitEnd(stub, deadline);
      } catch (java.util.concurrent.TimeoutException e) {
        spec.commandLine()
            .getErr()
            .printf(
                "opsflow: still running after %ds; follow with: opsflow status %s%n",
                timeoutSeconds, started.workflowId());
        return OpsflowCommand.FAILED;
      } catch (io.temporal.client.WorkflowFailedException e) {
        spec.commandLine()
            .getErr()
            .printf(
                "opsflow: the run did not complete: %s%n",
                dev.opsflow.starter.api.Executions.rootMessage(e));
        return OpsflowCommand.FAILED;
      }
      if (result.phase() == dev.opsflow.contracts.runbook.RunbookPhase.FAILED
          && stub.describe().getWorkflowExecutionInfo().getStatus()
              == io.temporal.api.enums.v1.WorkflowExecutionStatus
                  .WORKFLOW_EXECUTION_STATUS_RUNNING) {
        spec.commandLine()
            .getErr()
            .printf(
                "opsflow: the runbook failed; its run stays open while it tells a human (the"
                    + " escalation ladder); follow with: opsflow status %s%n",
                started.workflowId());
      }
      if (json) {
        answer.put("result", result);
        printJson(answer);
      } else {
        Table steps = new Table("STEP", "TYPE", "SCOPE", "OUTCOME", "ATTEMPTS", "DETAIL");
        for (StepRecord step : result.history()) {
          steps.add(
              step.stepId(),
              step.type(),
              step.scope(),
              step.outcome(),
              // 0: the step's activity failed (Temporal does not say after how many) or it ran none
              step.attempts() > 0 ? step.attempts() : "-",
              step.detail());
        }
        steps.print(out);
        if (!result.plan().isEmpty()) {
          out.println();
          out.println("Would do (dry run):");
          for (PlannedAction action : result.plan()) {
            out.printf("  %s: %s%n", action.stepId(), action.detail());
          }
        }
        out.printf(
            "%s %s in %ds%s%n",
            result.runbookId(),
            result.phase(),
            result.durationMillis() / 1000,
            result.failure().isBlank() ? "" : ": " + result.failure());
        out.flush();
      }
      return result.succeeded() ? 0 : OpsflowCommand.FAILED;
    }

    /**
     * The run's result once it ends; or, as soon as its status says the runbook ended FAILED while
     * the run stays open to escalate (it tells a human, rung by rung, for as long as that takes),
     * the result as its status holds it, so a failed runbook is reported when it fails.
     */
    private static RunbookResult awaitEnd(io.temporal.client.WorkflowStub stub, long deadline)
        throws java.util.concurrent.TimeoutException {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new java.util.concurrent.TimeoutException();
        }
        try {
          return stub.getResult(
              Math.min(left, 1_000_000_000L),
              java.util.concurrent.TimeUnit.NANOSECONDS,
              RunbookResult.class);
        } catch (java.util.concurrent.TimeoutException stillOpen) {
          dev.opsflow.contracts.runbook.RunbookStatus status =
              stub.query("status", dev.opsflow.contracts.runbook.RunbookStatus.class);
          if (status.phase() == dev.opsflow.contracts.runbook.RunbookPhase.FAILED) {
            long ended = status.endedAtMillis() == null ? 0 : status.endedAtMillis();
            return new RunbookResult(
                status.runbookId(),
                status.version(),
                status.sha256(),
                status.phase(),
                status.dryRun(),
                status.currentStep(),
                Math.max(0, ended - status.startedAtMillis()),
                status.history(),
                status.plan(),
                status.failure());
          }
        }
      }
    }
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = {
        "How each runbook's finished runs went: runs, success rate, average duration and the",
        "steps failed runs most often failed at. Read from the closed RunbookWorkflow runs in",
        "Temporal (each run's result, or its status when it has none); dry runs are left out.",
        "Example: opsflow runbook stats --limit 500"
      })
  static final class Stats extends OperatorCommand {
    @Option(
        names = "--limit",
        defaultValue = "200",
        description = "how many of the latest closed runs to read (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    void validate() {
      if (limit < 1 || limit > 10_000) {
        throw new BadInputException("--limit: must be from 1 to 10000");
      }
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      List<RunbookStats> stats;
      try (Executions executions = new Executions(temporal.client())) {
        stats = RunbookStats.of(executions.closedRunbookRuns(limit));
      }
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunbookStats s : stats) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("runbookId", s.runbookId());
          row.put("runs", s.runs());
          row.put("succeeded", s.succeeded());
          row.put("failed", s.failed());
          row.put("cancelled", s.cancelled());
          row.put("successRate", s.successRate());
          row.put("averageMillis", s.averageMillis());
          row.put("failurePoints", s.failurePoints());
          rows.add(row);
        }
        printJson(rows);
        return 0;
      }
      Table table =
          new Table(
              "RUNBOOK", "RUNS", "SUCCESS", "FAILED", "CANCELLED", "AVG_DURATION", "FAILED_AT");
      for (RunbookStats s : stats) {
        table.add(
            s.runbookId(),
            s.runs(),
            String.format(java.util.Locale.ROOT, "%.0f%%", s.successRate() * 100),
            s.failed(),
            s.cancelled(),
            duration(s.averageMillis()),
            s.failurePoints().entrySet().stream()
                .limit(3)
                .map(e -> e.getKey() + " x" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ")));
      }
      table.print(out());
      return 0;
    }

    static String duration(long millis) {
      long seconds = Math.round(millis / 1000.0);
      return seconds < 120 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }
  }
}
