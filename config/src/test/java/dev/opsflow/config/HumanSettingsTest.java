package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code procedures:} section, the escalation defaults and the REST API callers. */
class HumanSettingsTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void procedureApprovalAndLadderAreRead() throws IOException {
    Path file =
        yaml(
            """
            procedures:
              CrashLoopRemediation:
                approval: {approvers: [alice, bob], required: 2, timeout: 2d, namespaces: [prod]}
                escalation: [{channel: slack}, {channel: pagerduty, after: 30m}]
                askOnFailure: true
            """);
    OpsflowConfig config = ConfigLoader.load(file, Map.of());
    ProcedureSettings crash = config.procedures().get("CrashLoopRemediation");
    assertThat(crash.approval().approvers()).containsExactly("alice", "bob");
    assertThat(crash.approval().required()).isEqualTo(2);
    assertThat(crash.approval().fourEyes()).isTrue();
    assertThat(crash.approval().onTimeout()).isEqualTo("escalate");
    assertThat(crash.escalation())
        .extracting(ProcedureSettings.Step::channel, ProcedureSettings.Step::after)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("slack", "0s"),
            org.assertj.core.groups.Tuple.tuple("pagerduty", "30m"));
    assertThat(crash.askOnFailure()).isTrue();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "procedures: {crashLoop: {}}|procedures.crashLoop: must be a workflow type name",
        "procedures: {X: {approval: {approvers: []}}}|procedures.X.approval.approvers: must name at least one approver",
        "procedures: {X: {approval: {approvers: [a], required: 2}}}|procedures.X.approval.required: must be between 1 and the number of approvers (1), got 2",
        "procedures: {X: {approval: {approvers: [a], timeout: 10s}}}|procedures.X.approval.timeout: must be between 1m and 30d",
        "procedures: {X: {approval: {approvers: [a], onTimeout: maybe}}}|procedures.X.approval.onTimeout: must be escalate, reject or approve, got 'maybe'",
        "procedures: {X: {escalation: [{channel: sms}]}}|procedures.X.escalation[0].channel: must be one of [slack, pagerduty]",
        "procedures: {X: {escalation: [{channel: slack, after: soon}]}}|procedures.X.escalation[0].after:",
        "procedures: {X: {approve: true}}|procedures.X: not procedure settings",
      })
  void badProcedureSettingsNameTheField(String yamlText, String message) throws IOException {
    Path file = yaml(yamlText);
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageStartingWith(message);
  }

  @Test
  void apiCallersComeFromTheEnvironmentWithRolesAndNeverPrintTheirTokens() {
    OpsflowConfig config =
        ConfigLoader.load(
            null,
            Map.of(
                "OPSFLOW_API_TOKENS",
                "alice:admin:tok-alice-123,bob:operator:tok-bob-4567,eve:viewer:tok-eve-8910"));
    assertThat(config.api().caller("tok-bob-4567"))
        .hasValueSatisfying(c -> assertThat(c.name()).isEqualTo("bob"));
    assertThat(config.api().caller("tok-bob-456")).isEmpty();
    assertThat(config.api().caller("")).isEmpty();
    OpsflowConfig.ApiCaller eve = config.api().caller("tok-eve-8910").orElseThrow();
    assertThat(eve.mayAct("viewer")).isTrue();
    assertThat(eve.mayAct("operator")).isFalse();
    assertThat(config.api().caller("tok-alice-123").orElseThrow().mayAct("operator")).isTrue();
    assertThat(config.api().toString()).doesNotContain("tok-");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "alice:admin|entry 1 must be name:role:token",
        "alice:root:secret-token|entry 1 (alice): role must be one of [viewer, operator, admin]",
        "alice:admin:short|entry 1 (alice): token must be at least 8 characters",
        "a:admin:token-one-1,a:viewer:token-two-2|entry 2: caller a is listed twice",
      })
  void badApiCallersNameTheEntryButNotTheToken(String value, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("OPSFLOW_API_TOKENS", value)))
        .hasMessageContaining(message)
        .hasMessageContaining("OPSFLOW_API_TOKENS")
        .hasMessageNotContaining("secret-token")
        .hasMessageNotContaining("short");
  }
}
