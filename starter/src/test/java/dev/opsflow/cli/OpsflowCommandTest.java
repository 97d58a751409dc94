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
        "rollout canary",
        "rollout blue-green",
        "rollout ml",
        "rollout status",
        "rollout promote",
        "rollout promote-full",
        "rollout abort",
        "list",
        "describe",
        "status",
        "signal",
        "cancel",
        "terminate"
      })
  void everyVerbHasHelp(String verb) {
    String[] words = verb.split(" ");
    String[] args = java.util.Arrays.copyOf(words, words.length + 1);
    args[words.length] = "--help";
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("Usage: opsflow " + verb)
        .contains("--temporal-address", "--config");
  }

  @Test
  void rolloutWithoutACommandIsAUsageErrorListingThem() {
    CliRun run = CliRun.of("rollout");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("a rollout command is required", "promote-full", "abort");
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

  private static final String[] CANARY = {"rollout", "canary", "shop/web"};

  private static CliRun canary(String... more) {
    String[] args = java.util.Arrays.copyOf(CANARY, CANARY.length + more.length);
    System.arraycopy(more, 0, args, CANARY.length, more.length);
    // Port 9 (discard) answers nothing: a refusal must come before any connection.
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--temporal-address";
    all[args.length + 1] = "127.0.0.1:9";
    return CliRun.of(all);
  }

  @Test
  void aCanaryWithBadInputIsRefusedNamingTheOptionBeforeAnyConnection() {
    CliRun steps = canary("--image", "web:2", "--steps", "5,50,25");
    assertThat(steps.exitCode()).isEqualTo(2);
    assertThat(steps.err()).contains("--steps: 25 does not rise above the step before (50)");

    CliRun last = canary("--image", "web:2", "--steps", "5,50");
    assertThat(last.exitCode()).isEqualTo(2);
    assertThat(last.err()).contains("--steps: the last step must give the new version 100, was 50");

    CliRun image = canary("--image", "not an image");
    assertThat(image.exitCode()).isEqualTo(2);
    assertThat(image.err()).contains("--image: 'not an image' is not an image reference");

    CliRun pause = canary("--image", "web:2", "--pause", "soon");
    assertThat(pause.exitCode()).isEqualTo(2);
    assertThat(pause.err()).contains("--pause: 'soon' is not a duration");

    CliRun route = canary("--image", "web:2", "--http-route", "web");
    assertThat(route.exitCode()).isEqualTo(2);
    assertThat(route.err()).contains("--http-route: needs --stable-backend and --canary-backend");

    CliRun both = canary("--image", "web:2", "--http-route", "web", "--flag", "f");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("choose one router");

    CliRun file = canary("--image", "web:2", "--analysis", "/nonexistent/analysis.json");
    assertThat(file.exitCode()).isEqualTo(2);
    assertThat(file.err()).contains("--analysis: no file /nonexistent/analysis.json");

    CliRun count = canary("--image", "web:2", "--count", "0");
    assertThat(count.exitCode()).isEqualTo(2);
    assertThat(count.err()).contains("--count: at least 1");
  }

  @Test
  void aCanaryOfSomethingThatIsNotNamespaceSlashDeploymentNamesTheParameter() {
    CliRun run = CliRun.of("rollout", "canary", "web", "--image", "web:2");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("NAMESPACE/DEPLOYMENT: 'web' is not namespace/deployment");
  }

  @Test
  void aCanaryWithoutAnImageIsAUsageError() {
    CliRun run = canary();
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--image");
  }

  private static CliRun blueGreen(String... more) {
    String[] head = {"rollout", "blue-green", "shop/web"};
    String[] all = java.util.Arrays.copyOf(head, head.length + more.length + 2);
    System.arraycopy(more, 0, all, head.length, more.length);
    // Port 9 (discard) answers nothing: a refusal must come before any connection.
    all[head.length + more.length] = "--temporal-address";
    all[head.length + more.length + 1] = "127.0.0.1:9";
    return CliRun.of(all);
  }

  @Test
  void aBlueGreenWithBadInputIsRefusedNamingTheOptionBeforeAnyConnection() {
    String[] good = {"--image", "web:2"};
    CliRun same = blueGreen(concat(good, "--preview-service", "web"));
    assertThat(same.exitCode()).isEqualTo(2);
    assertThat(same.err())
        .contains("--preview-service: must differ from target.service (the active Service)");

    CliRun label = blueGreen(concat(good, "--preview-service", "Web_Preview"));
    assertThat(label.exitCode()).isEqualTo(2);
    assertThat(label.err()).contains("--preview-service: 'Web_Preview' is not a DNS-1035 label");

    CliRun delay = blueGreen(concat(good, "--scale-down-delay", "soon"));
    assertThat(delay.exitCode()).isEqualTo(2);
    assertThat(delay.err()).contains("--scale-down-delay: 'soon' is not a duration");

    CliRun retry = blueGreen(concat(good, "--retry-window", "PT-5S"));
    assertThat(retry.exitCode()).isEqualTo(2);
    assertThat(retry.err()).contains("--retry-window: must not be negative");

    CliRun post = blueGreen(concat(good, "--post-analysis", "/nonexistent/post.json"));
    assertThat(post.exitCode()).isEqualTo(2);
    assertThat(post.err()).contains("--post-analysis: no file /nonexistent/post.json");

    CliRun image = blueGreen("--image", "not an image");
    assertThat(image.exitCode()).isEqualTo(2);
    assertThat(image.err()).contains("--image: 'not an image' is not an image reference");

    CliRun ref = CliRun.of("rollout", "blue-green", "web", "--image", "web:2");
    assertThat(ref.exitCode()).isEqualTo(2);
    assertThat(ref.err()).contains("NAMESPACE/DEPLOYMENT: 'web' is not namespace/deployment");

    CliRun noImage = blueGreen();
    assertThat(noImage.exitCode()).isEqualTo(2);
    assertThat(noImage.err()).contains("--image");
  }

  private static CliRun ml(String... more) {
    String[] head = {"rollout", "ml", "demo/model"};
    String[] all = java.util.Arrays.copyOf(head, head.length + more.length + 2);
    System.arraycopy(more, 0, all, head.length, more.length);
    all[head.length + more.length] = "--temporal-address";
    all[head.length + more.length + 1] = "127.0.0.1:9";
    return CliRun.of(all);
  }

  @Test
  void anMlDeploymentWithBadInputIsRefusedNamingTheOptionBeforeAnyConnection() {
    String[] good = {"--model", "v2", "--image", "registry.example/model-server:v2"};
    CliRun threshold = ml(concat(good, "--threshold", "1.5"));
    assertThat(threshold.exitCode()).isEqualTo(2);
    assertThat(threshold.err()).contains("--threshold: must be an accuracy above 0 and at most 1");

    CliRun traffic = ml(concat(good, "--traffic", "100"));
    assertThat(traffic.exitCode()).isEqualTo(2);
    assertThat(traffic.err()).contains("--traffic: must be from 1 to 99");

    CliRun monitor = ml(concat(good, "--monitor", "a while"));
    assertThat(monitor.exitCode()).isEqualTo(2);
    assertThat(monitor.err()).contains("--monitor: 'a while' is not a duration");

    CliRun rollback = ml(concat(good, "--max-rollback", "0s"));
    assertThat(rollback.exitCode()).isEqualTo(2);
    assertThat(rollback.err()).contains("--max-rollback: must be positive");

    CliRun version = ml("--model", "../v2", "--image", "registry.example/model-server:v2");
    assertThat(version.exitCode()).isEqualTo(2);
    assertThat(version.err()).contains("--model: '../v2' is not a model version");

    CliRun preview = ml(concat(good, "--preview-service", "model"));
    assertThat(preview.exitCode()).isEqualTo(2);
    assertThat(preview.err()).contains("--preview-service: must differ from target.service");

    CliRun noModel = ml("--image", "registry.example/model-server:v2");
    assertThat(noModel.exitCode()).isEqualTo(2);
    assertThat(noModel.err()).contains("--model");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
