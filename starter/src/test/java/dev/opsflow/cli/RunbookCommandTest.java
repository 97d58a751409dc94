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
                            + ": valid: high-error-rate version 1.0.0, 7 steps, sha256 "));
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
    assertThat(run.err()).contains("a runbook command is required (validate)");
  }

  @Test
  void helpDescribesTheValidateVerb() {
    CliRun run = CliRun.of("runbook", "validate", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: opsflow runbook validate").contains("FILE:LINE");
  }
}
