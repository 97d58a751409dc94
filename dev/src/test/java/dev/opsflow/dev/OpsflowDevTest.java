package dev.opsflow.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.opsflow.cli.OpsflowCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line that ./opsflow runs: the production verbs plus {@code dev}. */
class OpsflowDevTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = OpsflowDev.newCommandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void devBuildHasEveryProductionVerbPlusDevWithHelpLast() {
    Set<String> production = OpsflowCommand.newCommandLine().getSubcommands().keySet();
    Set<String> dev = OpsflowDev.newCommandLine().getSubcommands().keySet();

    assertThat(production).doesNotContain("dev", "cli-training");
    assertThat(dev)
        .containsAll(production)
        .contains("dev", "cli-training")
        .hasSize(production.size() + 2);
    assertThat(dev).last().isEqualTo("help");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "worker", "starter", "start", "approvals", "cancel"})
  void everyVerbHasHelp(String verb) {
    Run run = run(verb, "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: opsflow " + verb).contains("--temporal-address");
  }

  @Test
  void theLaunchersTrainingRunIsHiddenAndEveryVerbItRunsSucceeds() {
    assertThat(run("--help").out()).doesNotContain("cli-training");
    // Each verb runs against the embedded service the training starts; one that fails (and so
    // would leave its classes out of the archive) turns the exit code to 1.
    Run run = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> run("cli-training"));
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void devHelpNamesItsOptions() {
    assertThat(run("dev", "--help").out())
        .contains("--temporal-port", "--http-port", "--host", "--sandbox", "--worker-only");
  }

  @Test
  void aWorkerOnlyWithTheSandboxIsRefusedNamingBothOptions() {
    Run run = run("dev", "--worker-only", "--sandbox");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .isEqualTo(
            "opsflow: --worker-only joins a running dev stack; start --sandbox with that"
                + " stack"
                + System.lineSeparator());
  }

  @Test
  void takenTemporalPortIsOneLineAndExitCodeOne() {
    try (EmbeddedTemporalService taken = EmbeddedTemporalService.start("127.0.0.1", 0)) {
      // Were the clash missed, dev would run until stopped: the timeout turns that into a failure.
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  run("dev", "--temporal-port", String.valueOf(taken.port()), "--http-port", "0"));
      assertThat(run.exitCode()).isEqualTo(OpsflowCommand.FAILED);
      assertThat(run.err())
          .startsWith(
              "opsflow: The embedded Temporal service cannot listen on 127.0.0.1:" + taken.port())
          .contains("--temporal-port");
    }
  }
}
