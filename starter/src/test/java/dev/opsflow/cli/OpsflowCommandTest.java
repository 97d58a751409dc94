package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.worker.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpsflowCommandTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "worker",
        "starter",
        "start",
        "failover",
        "list",
        "describe",
        "status",
        "signal",
        "cancel",
        "terminate"
      })
  void everyVerbHasHelp(String verb) {
    CliRun run = CliRun.of(verb, "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("Usage: opsflow " + verb)
        .contains("--temporal-address", "--config");
  }

  @Test
  void productionCommandLineHasNoDevVerb() {
    // The dev stack lives in the dev module, so the production artifact cannot start it.
    assertThat(OpsflowCommand.newCommandLine().getSubcommands()).doesNotContainKey("dev");
    CliRun run = CliRun.of("dev");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("Unmatched argument at index 0: 'dev'");
  }

  @Test
  void noVerbIsAUsageError() {
    CliRun run = CliRun.of();
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("a command is required");
  }

  @Test
  void malformedJsonInputNamesTheOptionBeforeAnyConnection() {
    CliRun run =
        CliRun.of(
            "start", "ConnectivityCheck", "--input", "{bad", "--temporal-address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .startsWith("opsflow: --input: not valid JSON")
        .doesNotContain("cannot reach Temporal");
  }

  @Test
  void unknownWorkflowTypeListsTheKnownOnes() {
    CliRun run = CliRun.of("start", "RestartTheWorld", "--temporal-address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .contains("WORKFLOW_TYPE: unknown workflow type 'RestartTheWorld'")
        .contains("known types: ")
        .contains("ConnectivityCheck", "KafkaLagRemediation", "OomRemediation");
  }

  @Test
  void aRemediationWithAPolicyOrItsOwnIdIsRefusedBeforeAnyConnection() {
    String input =
        "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
            + "\"severity\":\"critical\",\"policy\":{\"maxReplicas\":1000}}";
    CliRun policy =
        CliRun.of(
            "start", "CrashLoopRemediation", "--input", input, "--temporal-address", "127.0.0.1:1");
    assertThat(policy.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(policy.err())
        .startsWith("opsflow: --input: policy: the safety policy is the server's")
        .doesNotContain("cannot reach Temporal");

    CliRun ownId =
        CliRun.of(
            "start",
            "CrashLoopRemediation",
            "--input",
            "{}",
            "--workflow-id",
            "mine",
            "--temporal-address",
            "127.0.0.1:1");
    assertThat(ownId.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(ownId.err())
        .startsWith(
            "opsflow: --workflow-id: a remediation's workflow ID is derived from its problem");
  }

  @Test
  void terminateNeedsAReason() {
    CliRun run = CliRun.of("terminate", "some-run", "--temporal-address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("Missing required option: '--reason=<reason>'");
    CliRun blank =
        CliRun.of("terminate", "some-run", "--reason", " ", "--temporal-address", "127.0.0.1:1");
    assertThat(blank.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(blank.err()).contains("--reason: must not be empty");
  }

  @Test
  void outOfRangeLimitNamesTheOption() {
    CliRun run = CliRun.of("list", "--limit", "0");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("--limit: must be between 1 and 1000, got 0");
  }

  @Test
  void invalidConfigFileNamesTheKey(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("opsflow.yaml"), "healing:\n  maxReplicas: 0\n");
    CliRun run = CliRun.of("list", "--config", config.toString());
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("healing.maxReplicas: must be between 1 and 1000, got 0");
  }

  @Test
  void missingConfigFileIsNamed() {
    CliRun run = CliRun.of("list", "--config", "/nonexistent/opsflow.yaml");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).contains("--config: file /nonexistent/opsflow.yaml does not exist");
  }

  @Test
  void unreachableTemporalSaysWhereItLooked() {
    String address = "127.0.0.1:" + Ports.free();
    CliRun run = CliRun.of("list", "--temporal-address", address);
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.FAILED);
    assertThat(run.err()).contains("cannot reach Temporal at " + address).contains("./opsflow dev");
  }

  @Test
  void failoverOfABadClusterNameIsRefusedNamingItBeforeAnyConnection() {
    CliRun run = CliRun.of("failover", "Demo_1", "--temporal-address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .startsWith("opsflow: CLUSTER: 'Demo_1' is not a cluster name")
        .doesNotContain("cannot reach Temporal");
  }

  @Test
  void failoverOfAClusterNotInTheConfigurationIsRefusedListingTheConfiguredOnes(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("opsflow.yaml");
    Files.writeString(
        config,
        """
        failover:
          clusters:
            demo:
              namespace: db
              service: demo-db
              roleLabelKey: role
              members:
                demo-a: {url: 'jdbc:postgresql://a:5432/postgres', user: postgres, pod: demo-db-0}
                demo-b: {url: 'jdbc:postgresql://b:5432/postgres', user: postgres, pod: demo-db-1}
        """);
    CliRun run =
        CliRun.of(
            "failover",
            "nosuch",
            "--config",
            config.toString(),
            "--temporal-address",
            "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err())
        .startsWith("opsflow: cluster: 'nosuch' is not in failover.clusters; configured: demo")
        .doesNotContain("cannot reach Temporal");
  }

  @Test
  void failoverToABadReplicaNameIsRefusedNamingTheOption() {
    CliRun run = CliRun.of("failover", "demo", "--to", "pg/b", "--temporal-address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(OpsflowCommand.BAD_INPUT);
    assertThat(run.err()).startsWith("opsflow: --to: 'pg/b' is not a member name");
  }
}
