package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.WorkflowCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's example payloads (examples/alerts/*.json) are what Alertmanager would send, pass the
 * webhook's checks and reach the remediation and target the README says they do.
 */
class ExamplePayloadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AlertRouter DEFAULT_ROUTER =
      new AlertRouter(List.of(), WorkflowCatalog.remediationTypeNames());

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of(
            "kafka-lag.json",
            "KafkaLagRemediation",
            "high",
            new ConsumerGroupTarget("demo", "orders-consumer", "orders-consumer", "orders"),
            "heal-kafka-lag-remediation-demo/orders-consumer/orders-consumer/orders"),
        Arguments.of(
            "oom.json",
            "OomRemediation",
            "critical",
            new WorkloadTarget("demo", "checkout", "app", ""),
            "heal-oom-remediation-demo/checkout/app"),
        Arguments.of(
            "crash-loop.json",
            "CrashLoopRemediation",
            "critical",
            new WorkloadTarget("demo", "payments", "", ""),
            "heal-crash-loop-remediation-demo/payments"),
        Arguments.of(
            "postgres-connections.json",
            "PostgresConnectionRemediation",
            "high",
            new DatabaseTarget("postgres"),
            "heal-postgres-connection-remediation"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("examples")
  void examplePayloadIsValidAndRoutesToItsRemediation(
      String file, String procedure, String severity, Target target, String workflowId)
      throws IOException {
    AlertmanagerPayload payload =
        JSON.readValue(Files.readString(examplesDir().resolve(file)), AlertmanagerPayload.class);

    assertThat(AlertWebhook.invalid(payload)).isNull();
    assertThat(payload.status()).isEqualTo("firing");
    assertThat(payload.alerts()).hasSize(1);
    AlertmanagerPayload.Alert alert = payload.alerts().get(0);
    assertThat(alert.endsAt()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(alert.fingerprint()).matches("[0-9a-f]{16}");

    AlertRouter.Routed routed = DEFAULT_ROUTER.route(alert);
    assertThat(routed).isInstanceOf(AlertRouter.Routed.To.class);
    RemediationRequest request = ((AlertRouter.Routed.To) routed).request();
    assertThat(request.procedure()).isEqualTo(procedure);
    assertThat(request.severity()).isEqualTo(severity);
    assertThat(request.target()).isEqualTo(target);
    assertThat(request.workflowId()).isEqualTo(workflowId);
    assertThat(request.alert().firing()).isTrue();
    assertThat(request.alert().episode()).isEqualTo(alert.fingerprint() + "@" + alert.startsAt());
  }

  @Test
  void everyExampleFileIsCovered() throws IOException {
    try (Stream<Path> files = Files.list(examplesDir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(examples().map(a -> (String) a.get()[0]).toList());
    }
  }

  /** examples/alerts at the repository root, wherever the build runs the test from. */
  private static Path examplesDir() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples/alerts"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("examples/alerts above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir.resolve("examples/alerts");
  }
}
