package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A procedure named under {@code procedures:} must be a workflow type the worker has. */
class KnownProceduresTest {
  private static final List<String> TYPES =
      List.of("CrashLoopRemediation", "KafkaLagRemediation", "OomRemediation");

  @TempDir Path dir;

  private OpsflowConfig load(String text) throws IOException {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, text);
    return ConfigLoader.load(file, Map.of());
  }

  @Test
  void aMisspelledProcedureIsRefusedNamingItTheKnownTypesAndTheClosest() throws IOException {
    OpsflowConfig config =
        load(
            """
            procedures:
              CrashLoopRemediation: {askOnFailure: true}
              KafkaLagRemediaton:
                approval: {approvers: [alice]}
            """);
    assertThatThrownBy(() -> config.requireKnownProcedures(TYPES))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "procedures.KafkaLagRemediaton: unknown workflow type (did you mean"
                + " KafkaLagRemediation?); known: CrashLoopRemediation, KafkaLagRemediation,"
                + " OomRemediation")
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("procedures.KafkaLagRemediaton");
  }

  @Test
  void aNameFarFromEveryTypeGetsNoSuggestion() throws IOException {
    OpsflowConfig config = load("procedures: {DatabaseFailover: {askOnFailure: false}}");
    assertThatThrownBy(() -> config.requireKnownProcedures(TYPES))
        .hasMessage(
            "procedures.DatabaseFailover: unknown workflow type; known: CrashLoopRemediation,"
                + " KafkaLagRemediation, OomRemediation");
  }

  @Test
  void knownProceduresPassAndTheSameConfigIsGivenBack() throws IOException {
    OpsflowConfig config =
        load("procedures: {OomRemediation: {askOnFailure: true}, CrashLoopRemediation: {}}");
    assertThat(config.requireKnownProcedures(TYPES)).isSameAs(config);
    assertThat(OpsflowConfig.defaults().requireKnownProcedures(List.of())).isNotNull();
  }

  @Test
  void closestIgnoresCaseAndRefusesDistantNames() {
    assertThat(Spelling.closest("oomremediation", TYPES)).contains("OomRemediation");
    assertThat(Spelling.closest("CrashLopRemediation", TYPES)).contains("CrashLoopRemediation");
    assertThat(Spelling.closest("Oom", TYPES)).isEmpty();
    assertThat(Spelling.closest("", TYPES)).isEmpty();
  }
}
