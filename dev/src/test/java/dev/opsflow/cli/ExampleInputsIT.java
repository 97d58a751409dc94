package dev.opsflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.dev.DevSandbox;
import dev.opsflow.dev.DevStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README's example inputs heal the sandbox as shown: {@code opsflow start <Remediation>
 * --input-file examples/inputs/<Remediation>.json} against {@code opsflow dev --sandbox} acts on
 * the sandbox's own objects and verifies the fix. Only the waits are shortened (confirmation of
 * high severity and the settle time), so the test does not sit through minutes of timers.
 */
class ExampleInputsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DevSandbox sandbox;
  private static DevStack stack;

  @BeforeAll
  static void start() {
    sandbox = DevSandbox.start();
    Map<String, String> settings = new HashMap<>(sandbox.settings());
    settings.put("CONFIRM_DELAY_HIGH", "1s");
    settings.put("SETTLE_TIME", "1s");
    // With a 1 s confirmation the sandbox's sessions are younger than its 20 s idle age.
    settings.put("IDLE_SESSION_AGE", "1s");
    stack = DevStack.start(ConfigLoader.load(null, settings), "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static CliRun cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--temporal-address";
    all[args.length + 1] = stack.temporalTarget();
    return CliRun.of(all);
  }

  @ParameterizedTest
  @CsvSource({
    "CrashLoopRemediation, rollout_restart, demo/payments",
    "OomRemediation, raise_memory_limit, demo/checkout",
    "KafkaLagRemediation, scale_kafka_consumers, demo/orders-consumer",
    "PostgresConnectionRemediation, terminate_idle_sessions, database postgres",
  })
  void theExampleInputHealsTheSandbox(String type, String action, String target) throws Exception {
    CliRun started =
        cli("start", type, "--input-file", "../examples/inputs/" + type + ".json", "--json");
    assertThat(started.exitCode()).as(started.err()).isZero();
    String id = JSON.readTree(started.out()).get("workflowId").asText();

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              CliRun status = cli("status", id, "--json");
              assertThat(status.exitCode()).as(status.err()).isZero();
              JsonNode answer = JSON.readTree(status.out());
              assertThat(answer.get("phase").asText()).as(status.out()).isEqualTo("COOLDOWN");
              JsonNode first = answer.path("actions").path(0);
              assertThat(first.path("action").asText()).isEqualTo(action);
              assertThat(first.path("target").asText()).startsWith(target);
              assertThat(first.path("success").asBoolean()).as(status.out()).isTrue();
            });
    cli("terminate", id, "--reason", "test over");
  }
}
