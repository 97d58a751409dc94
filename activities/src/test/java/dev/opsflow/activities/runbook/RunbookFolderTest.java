package dev.opsflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.ConfigException;
import dev.opsflow.config.OpsflowConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookFolderTest {
  static final Path SHIPPED = Path.of("..", "runbooks");
  static final Path INVALID = Path.of("src", "test", "resources", "runbooks", "invalid");

  private static OpsflowConfig.Runbooks config(Path dir, boolean skipInvalid) {
    return new OpsflowConfig.Runbooks(dir.toString(), false, skipInvalid);
  }

  private static Path folderWithOneInvalid(Path dir) throws Exception {
    Files.copy(SHIPPED.resolve("high-error-rate.yaml"), dir.resolve("high-error-rate.yaml"));
    Files.copy(INVALID.resolve("unknown-step.yaml"), dir.resolve("unknown-step.yaml"));
    return dir;
  }

  @Test
  void theShippedFolderLoadsEveryRunbookByIdAndSkipsTheSchemaFolder() {
    RunbookFolder folder = RunbookFolder.load(config(SHIPPED, false), Map.of());

    assertThat(folder.runbooks().keySet())
        .containsExactly(
            "ai-service-recovery",
            "database-performance",
            "dependency-health",
            "error-recovery",
            "gradual-rollout",
            "high-error-rate",
            "high-memory-usage",
            "idle-sessions",
            "kafka-lag-recovery",
            "traffic-spike-management");
    assertThat(folder.runbook("high-error-rate").orElseThrow().source())
        .isEqualTo(SHIPPED.resolve("high-error-rate.yaml").toString());
    assertThat(folder.runbook("high-error-rate").orElseThrow().sha256()).hasSize(64);
    assertThat(folder.skipped()).isEmpty();
  }

  @Test
  void anInvalidRunbookRefusesTheStartWithFileLineStepAndField(@TempDir Path dir) throws Exception {
    folderWithOneInvalid(dir);

    assertThatThrownBy(() -> RunbookFolder.load(config(dir, false), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("runbooks.dir: 1 runbook(s) in " + dir + " invalid")
        .hasMessageContaining("runbooks.skipInvalid: true (env RUNBOOKS_SKIP_INVALID=true)")
        .hasMessageEndingWith(
            "\n  "
                + dir.resolve("unknown-step.yaml")
                + ":11: probe: onFailure: no step 'restrat' in this runbook");
  }

  private static final String CALLS =
      """
      id: flush-cache
      name: Flush a cache
      version: "1"
      startWith: health
      steps:
        - id: health
          type: check
          probe: http.probe
          parameters: { url: "http://{{ input.host }}/health" }
          onSuccess: flush
        - id: flush
          type: action
          action: http.call
          parameters:
            url: "https://ops:secret@cache.evil.example/flush?token=abc"
            method: POST
      """;

  @Test
  void aLiteralUrlOutsideHttpAllowRefusesTheStartWithItsLine(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("flush-cache.yaml"), CALLS);
    var allow = dev.opsflow.config.HttpAllowList.of(List.of("https://cache.example.com"));
    var config = new OpsflowConfig.Runbooks(dir.toString(), false, false, allow);

    assertThatThrownBy(() -> RunbookFolder.load(config, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(
            "\n  "
                + dir.resolve("flush-cache.yaml")
                + ":15: flush: parameters.url: http.call: host cache.evil.example (https) is not in"
                + " runbooks.httpAllow; allowed: https://cache.example.com")
        .message()
        .doesNotContain("secret")
        .doesNotContain("token");
    // The templated probe URL is checked when it runs; unset, every literal URL is allowed.
    assertThat(RunbookFolder.load(config(dir, false), Map.of()).runbooks())
        .containsKey("flush-cache");
    var wide = dev.opsflow.config.HttpAllowList.of(List.of("https://*.evil.example"));
    assertThat(
            RunbookFolder.load(
                    new OpsflowConfig.Runbooks(dir.toString(), false, false, wide), Map.of())
                .runbooks())
        .containsKey("flush-cache");
  }

  @Test
  void skipInvalidStartsWithoutTheInvalidRunbookAndNamesIt(@TempDir Path dir) throws Exception {
    folderWithOneInvalid(dir);

    RunbookFolder folder = RunbookFolder.load(config(dir, true), Map.of());

    assertThat(folder.runbooks().keySet()).containsExactly("high-error-rate");
    assertThat(folder.runbook("unknown-step")).isEmpty();
    assertThat(folder.skipped())
        .singleElement()
        .satisfies(
            v -> assertThat(v.source()).isEqualTo(dir.resolve("unknown-step.yaml").toString()));
  }

  @Test
  void twoFilesWithOneIdAreRefusedNamingBoth(@TempDir Path dir) throws Exception {
    Files.copy(SHIPPED.resolve("idle-sessions.yaml"), dir.resolve("a.yaml"));
    Files.copy(SHIPPED.resolve("idle-sessions.yaml"), dir.resolve("b.yml"));

    assertThatThrownBy(() -> RunbookFolder.load(config(dir, false), Map.of()))
        .hasMessageEndingWith(
            dir.resolve("b.yml")
                + ":1: runbook: id: id 'idle-sessions' is already the id of "
                + dir.resolve("a.yaml")
                + "; ids are unique");
  }

  @Test
  void aRunbookMayNotTakeTheNameOfABuiltInProcedure(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("clash.yaml"),
        Files.readString(SHIPPED.resolve("idle-sessions.yaml"))
            .replaceFirst("(?m)^id: .*$", "id: crash-loop-remediation"));

    assertThatThrownBy(
            () ->
                RunbookFolder.load(
                    config(dir, false),
                    RunbookFolder.builtInIds(List.of("CrashLoopRemediation", "HealthWatchdog"))))
        .hasMessageEndingWith(
            ":1: runbook: id: 'crash-loop-remediation' is the name of the built-in procedure"
                + " CrashLoopRemediation; choose another id");
  }

  @Test
  void aMissingDefaultFolderIsNoRunbooksButAMissingConfiguredOneIsRefused(@TempDir Path dir) {
    Path absent = dir.resolve("absent");

    assertThat(
            RunbookFolder.load(new OpsflowConfig.Runbooks(absent.toString(), true, false), Map.of())
                .runbooks())
        .isEmpty();
    assertThatThrownBy(() -> RunbookFolder.load(config(absent, false), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "runbooks.dir: folder "
                + absent
                + " does not exist or is not a folder (env RUNBOOKS_DIR)");
  }
}
