package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code featureFlags.*}: the flag services a rollout's featureFlag router may call. */
class FeatureFlagConfigTest {
  private static final String TOKEN = "flag-token-s3cr3t-4711";

  @TempDir Path dir;

  @Test
  void noFlagServiceIsConfiguredByDefault() {
    OpsflowConfig.FeatureFlags flags = OpsflowConfig.defaults().featureFlags();
    assertThat(flags.services()).isEmpty();
    assertThat(flags.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void servicesComeFromTheFileAsAMapAndTokensFromASecretFile() throws IOException {
    Path tokens = Files.writeString(dir.resolve("tokens"), "flags:" + TOKEN + "\n");
    Path file =
        yaml(
            "featureFlags:\n"
                + "  services:\n"
                + "    flags: https://flags.internal:8443/api/\n"
                + "    beta: http://10.0.0.7\n"
                + "  timeout: 3s\n");

    OpsflowConfig config =
        ConfigLoader.load(file, Map.of("FEATURE_FLAG_TOKENS_FILE", tokens.toString()));

    OpsflowConfig.FeatureFlags flags = config.featureFlags();
    assertThat(flags.services()).containsOnlyKeys("flags", "beta");
    assertThat(flags.services().get("flags").url())
        .as("no trailing '/': paths are appended")
        .isEqualTo("https://flags.internal:8443/api");
    assertThat(flags.services().get("flags").token().reveal()).isEqualTo(TOKEN);
    assertThat(flags.services().get("beta").token().isPresent()).isFalse();
    assertThat(flags.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.toString()).doesNotContain(TOKEN).contains("****");
  }

  @Test
  void theListFormAndTheVariablesSayTheSame() throws IOException {
    Path file = yaml("featureFlags:\n  services: [flags=https://flags.internal]\n");
    OpsflowConfig fromFile = ConfigLoader.load(file, Map.of("FEATURE_FLAG_TOKENS", "flags:x1"));
    OpsflowConfig fromEnv =
        ConfigLoader.load(
            null,
            Map.of(
                "FEATURE_FLAG_SERVICES", "flags=https://flags.internal",
                "FEATURE_FLAG_TOKENS", "flags:x1"));
    assertThat(fromFile.featureFlags()).isEqualTo(fromEnv.featureFlags());
    assertThat(fromEnv.featureFlags().services().get("flags").token().reveal()).isEqualTo("x1");
  }

  @Test
  void aTokenInTheFileIsRefused() throws IOException {
    Path file = yaml("featureFlags:\n  tokens: flags:" + TOKEN + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageStartingWith(
            "featureFlags.tokens: secrets are not read from the config file; set"
                + " FEATURE_FLAG_TOKENS or featureFlags.tokensFile")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void aTokenForAServiceNotListedIsRefusedNamingTheServiceButNeverTheToken() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "FEATURE_FLAG_SERVICES",
                        "flags=https://flags.internal",
                        "FEATURE_FLAG_TOKENS",
                        "flags:a1b2c3,flgas:" + TOKEN)))
        .hasMessage(
            "featureFlags.tokens: entry 2: 'flgas' is no flag service in featureFlags.services"
                + " (there: [flags]) (env FEATURE_FLAG_TOKENS)")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void aMalformedTokenEntryIsRefusedWithoutShowingIt() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "FEATURE_FLAG_SERVICES",
                        "flags=https://flags.internal",
                        "FEATURE_FLAG_TOKENS",
                        TOKEN)))
        .hasMessage("featureFlags.tokens: entry 1 must be name:token (env FEATURE_FLAG_TOKENS)");
  }

  @Test
  void aUrlCarryingCredentialsIsRefusedWithoutShowingThem() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "FEATURE_FLAG_SERVICES", "flags=https://ops:" + TOKEN + "@flags.internal")))
        .hasMessage(
            "featureFlags.services: entry 1 (flags): the URL must not carry credentials; put the"
                + " token in featureFlags.tokens (env FEATURE_FLAG_SERVICES)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "flags|entry 1 must be name=url with a lower-case name of letters, digits and '-', got"
            + " 'flags'",
        "Flags=https://f|entry 1 must be name=url with a lower-case name of letters, digits and"
            + " '-', got 'Flags=https://f'",
        "flags=ftp://f|entry 1 (flags): expected an http:// or https:// URL, got 'ftp://f'",
        "flags=https://f?env=prod|entry 1 (flags): the base URL must have no query or fragment,"
            + " got 'https://f?env=prod'",
        "flags=https://a,flags=https://b|entry 2: flag service flags is listed twice",
      })
  void aBadServiceEntryIsRefusedNamingTheEntry(String services, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FEATURE_FLAG_SERVICES", services)))
        .hasMessage("featureFlags.services: " + message + " (env FEATURE_FLAG_SERVICES)");
  }

  @Test
  void theTimeoutIsBounded() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FEATURE_FLAG_TIMEOUT", "10m")))
        .hasMessageStartingWith("featureFlags.timeout: must be between 1s and 5m, got 10m");
  }

  private Path yaml(String text) throws IOException {
    return Files.writeString(dir.resolve("opsflow.yaml"), text);
  }
}
