package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookCommandTest {
  /** The runbooks the repository ships (tests run in the module's folder). */
  static final Path SHIPPED = Path.of("..", "runbooks");

  static final String BROKEN =
      """
      id: broken
      name: broken
      version: "1"
      startWith: probe
      steps:
        - id: probe
          type: check
          probe: http.probe
          parameters: { url: "http://svc/health" }
          onFailure: restrat
      """;

  @Test
  void everyShippedRunbookValidatesWithExitZero() throws Exception {
    List<String> files;
    try (var listing = Files.list(SHIPPED)) {
      files =
          listing.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted().toList();
    }
    String[] args = new String[files.size() + 2];
    args[0] = "runbook";
    args[1] = "validate";
    for (int i = 0; i < files.size(); i++) {
      args[i + 2] = files.get(i);
    }

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    assertThat(run.out().lines())
        .hasSize(files.size())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        SHIPPED.resolve("high-error-rate.yaml")
                            + ": valid: high-error-rate version 1.0.1, 7 steps, sha256 "));
  }

  @Test
  void anInvalidRunbookExitsTwoWithEachProblemOnStderrAsFileLineStepField(@TempDir Path dir)
      throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, BROKEN);
    Path valid = SHIPPED.resolve("dependency-health.yaml");

    CliRun run = CliRun.of("runbook", "validate", broken.toString(), valid.toString());

    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err().lines())
        .containsExactly(
            broken + ":10: probe: onFailure: no step 'restrat' in this runbook",
            "opsflow: 1 of 2 runbook(s) invalid");
    assertThat(run.out()).startsWith(valid + ": valid: dependency-health version 1.0.0");
  }

  @Test
  void aMissingFileIsReportedAsAProblemNotAStackTrace() {
    CliRun run = CliRun.of("runbook", "validate", "no-such.yaml");

    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).startsWith("no-such.yaml:1: runbook: -: no such file");
  }

  @Test
  void validateWithoutAFileIsAUsageError() {
    CliRun run = CliRun.of("runbook", "validate");

    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("Missing required parameter: 'FILE'");
  }

  @Test
  void runbookWithoutASubcommandSaysWhichExist() {
    CliRun run = CliRun.of("runbook");

    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .contains("a runbook command is required (list, show, run, stats, validate)");
  }

  @Test
  void helpDescribesTheValidateVerb() {
    CliRun run = CliRun.of("runbook", "validate", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: opsflow runbook validate").contains("FILE:LINE");
  }

  @Test
  void listPrintsEveryShippedRunbookWithItsVersionTagsStepsAndMinutes() {
    CliRun run = CliRun.of("runbook", "list", "--dir", SHIPPED.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out().lines().toList())
        .hasSize(11)
        .satisfies(l -> assertThat(l.get(0)).startsWith("ID").contains("MANUAL_MIN"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "high-error-rate +High error rate on a service +1\\.0\\.1 +http,errors +7"
                            + " +20"));
  }

  @Test
  void listNamesAnInvalidFileOnStderrAndListsTheRest(@TempDir Path dir) throws Exception {
    Files.copy(SHIPPED.resolve("idle-sessions.yaml"), dir.resolve("idle-sessions.yaml"));
    Files.writeString(dir.resolve("broken.yaml"), BROKEN);

    CliRun run = CliRun.of("runbook", "list", "--dir", dir.toString(), "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err())
        .isEqualTo(
            "opsflow: "
                + dir.resolve("broken.yaml")
                + " is invalid and cannot be started (1 problem(s); opsflow runbook validate "
                + dir.resolve("broken.yaml")
                + ")\n");
    assertThat(run.out()).contains("\"id\" : \"idle-sessions\"").doesNotContain("broken");
  }

  @Test
  void showPrintsTheStepsAndTheirTransitions() {
    CliRun run = CliRun.of("runbook", "show", "high-error-rate", "--dir", SHIPPED.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().toList())
        .startsWith("high-error-rate: High error rate on a service")
        .anySatisfy(l -> assertThat(l).startsWith("version 1.0.1  sha256 "))
        .contains("starts with error-ratio")
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "overload-or-bad-pods +decision +overloaded if steps.traffic.result >"
                            + " trafficThreshold +branches\\[0\\]\\.next: scale-out, otherwise:"
                            + " restart"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "restart +action +kubernetes.rolloutRestart +onSuccess: tell-the-team,"
                            + " onFailure: page"));
  }

  @Test
  void showWritesTheMermaidFlowchartOfEveryEdge(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("graph.mmd");

    CliRun run =
        CliRun.of(
            "runbook",
            "show",
            "kafka-lag-recovery",
            "--dir",
            SHIPPED.toString(),
            "--mermaid",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Mermaid flowchart written to " + file);
    assertThat(Files.readString(file))
        .isEqualTo(
            """
            flowchart TD
              run_start((start))
              s_scale_consumers["scale-consumers<br/>action kubernetes.scale"]
              s_until_caught_up[["until-caught-up<br/>loop while"]]
              s_pause[/"pause<br/>wait 1m"/]
              s_lag["lag<br/>action kafka.readLag"]
              s_caught_up["caught-up<br/>notify slack"]
              s_still_behind["still-behind<br/>notify pagerduty"]
              run_start --> s_scale_consumers
              s_scale_consumers -->|"onSuccess"| s_until_caught_up
              s_scale_consumers -->|"onFailure"| run_failed
              s_until_caught_up -.->|"body"| s_pause
              s_until_caught_up -->|"onSuccess"| s_caught_up
              s_until_caught_up -->|"onFailure"| s_still_behind
              s_pause -->|"onSuccess"| s_lag
              s_caught_up -->|"onSuccess"| run_succeeded
              s_caught_up -->|"onFailure"| run_failed
              s_still_behind -->|"onSuccess"| run_succeeded
              s_still_behind -->|"onFailure"| run_failed
              run_succeeded(((succeeded)))
              run_failed(((failed)))
            """);
  }

  @Test
  void showWithMermaidAndNoFilePrintsOnlyTheFlowchartWithDecisionBranches() {
    CliRun run =
        CliRun.of("runbook", "show", "high-error-rate", "--dir", SHIPPED.toString(), "--mermaid");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith("flowchart TD\n")
        .contains(
            "  s_overload_or_bad_pods{\"overload-or-bad-pods<br/>decision\"}\n",
            "  s_overload_or_bad_pods -->|\"overloaded\"| s_scale_out\n",
            "  s_overload_or_bad_pods -->|\"otherwise\"| s_restart\n",
            "  s_restart -->|\"onFailure\"| s_page\n")
        .doesNotContain("STEP");
  }

  @Test
  void showOfAnUnknownIdExitsTwoNamingItAndTheKnownOnes() {
    CliRun run = CliRun.of("runbook", "show", "high-eror-rate", "--dir", SHIPPED.toString());

    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .isEqualTo(
            "opsflow: ID: no runbook 'high-eror-rate' in "
                + SHIPPED
                + "; known: ai-service-recovery, database-performance, dependency-health,"
                + " error-recovery, gradual-rollout, high-error-rate, high-memory-usage,"
                + " idle-sessions, kafka-lag-recovery, traffic-spike-management\n");
  }

  @Test
  void runRefusesBadInputWithExitTwoBeforeAnyConnection() {
    String[] common = {"--dir", SHIPPED.toString(), "--temporal-address", "127.0.0.1:1"};
    CliRun unknown = CliRun.of(concat(new String[] {"runbook", "run", "idle-sesions"}, common));
    CliRun notAnObject =
        CliRun.of(
            concat(new String[] {"runbook", "run", "idle-sessions", "--context", "[1]"}, common));
    CliRun wrongKind =
        CliRun.of(
            concat(
                new String[] {
                  "runbook", "run", "high-error-rate", "--context", "{\"errorThreshold\":\"high\"}"
                },
                common));
    CliRun unknownStep =
        CliRun.of(
            concat(
                new String[] {
                  "runbook",
                  "run",
                  "high-error-rate",
                  "--context",
                  "{\"service\":\"orders\",\"namespace\":\"demo\",\"replicas\":2}",
                  "--simulate-failures",
                  "restart,restrat"
                },
                common));
    CliRun missingInput =
        CliRun.of(
            concat(
                new String[] {
                  "runbook", "run", "high-error-rate", "--context", "{\"service\":\"orders\"}"
                },
                common));
    CliRun badJson =
        CliRun.of(
            concat(new String[] {"runbook", "run", "idle-sessions", "--context", "{bad"}, common));

    for (CliRun run :
        List.of(unknown, notAnObject, wrongKind, unknownStep, missingInput, badJson)) {
      assertThat(run.exitCode()).as(run.err()).isEqualTo(OpsflowCommand.BAD_INPUT);
      assertThat(run.err()).doesNotContain("Temporal");
    }
    assertThat(unknown.err()).startsWith("opsflow: ID: no runbook 'idle-sesions' in ");
    assertThat(notAnObject.err())
        .isEqualTo("opsflow: --context: context: must be a JSON object (the runbook's input)\n");
    assertThat(wrongKind.err())
        .isEqualTo(
            "opsflow: --context: context.errorThreshold: the runbook's variable errorThreshold is a"
                + " number (default 0.05), got a string\n");
    assertThat(unknownStep.err())
        .startsWith(
            "opsflow: --simulate-failures: simulateFailures[1]: no step 'restrat' in runbook"
                + " high-error-rate; its steps: error-ratio, traffic, ");
    assertThat(missingInput.err())
        .isEqualTo(
            "opsflow: --context: context.namespace: required: runbook high-error-rate reads"
                + " input.namespace and declares no default for it\n");
    assertThat(badJson.err()).startsWith("opsflow: --context: not valid JSON");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
