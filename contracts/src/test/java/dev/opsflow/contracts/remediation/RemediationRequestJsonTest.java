package dev.opsflow.contracts.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The JSON a remediation's input is stored as, read with Temporal's own converter: inputs saved
 * before the per-kind targets and the run envelope still read (their histories replay), a typed
 * start writes only the fields of its target, and the flat form a tctl user types works.
 */
class RemediationRequestJsonTest {
  private static final DataConverter TEMPORAL = DefaultDataConverter.STANDARD_INSTANCE;

  /** The input of a saved history (kafkalag/scaled-and-fixed.json), before this change. */
  private static final String LEGACY =
      """
      {"procedure":"KafkaLagRemediation","target":{"namespace":"demo","deployment":"orders-consumer",
       "container":"","consumerGroup":"orders","topic":"orders","database":"","podSelector":""},
       "severity":"high","policy":{"kafkaLagThreshold":15000,"kafkaLagPerReplica":3000,
       "postgresConnThreshold":85,"diskSpaceThreshold":85,"minReplicas":1,"maxReplicas":10,
       "checkIntervalSeconds":60,"actionCooldownSeconds":300,"settleSeconds":60,
       "confirmHighSeconds":60,"confirmMediumSeconds":300,"confirmLowSeconds":900,
       "idleSessionAgeSeconds":600,"logMaxAgeDays":7,"logPaths":["/var/log/app"],
       "memoryRaiseFactor":1.2,"memoryRaiseMinStep":"100Mi","memoryCeiling":"8Gi","maxInFlight":5,
       "maxInFlightPerNamespace":2,"admissionTimeoutSeconds":600,"humanDefault":null,"humans":{}},
       "alert":{"alertName":"KafkaConsumerLagHigh","status":"firing","fingerprint":"fp",
       "startsAt":"2026-11-23T10:00:00Z","labels":{"alertname":"KafkaConsumerLagHigh"},
       "annotations":{},"source":"alertmanager"},"requestedBy":"opsflow"}
      """;

  @Test
  void anInputSavedBeforeTheEnvelopeReadsAsTheProceduresTarget() {
    RemediationRequest request = read(LEGACY, RemediationRequest.class);

    assertThat(request.target())
        .isEqualTo(new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders"));
    assertThat(request.severity()).isEqualTo("high");
    assertThat(request.alert().episode()).isEqualTo("fp@2026-11-23T10:00:00Z");
    assertThat(request.requestedBy()).isEqualTo("opsflow");
    assertThat(request.policy().maxReplicas()).isEqualTo(10);
    assertThat(request.limits()).isNull();
    assertThat(request.workflowId())
        .isEqualTo("heal-kafka-lag-remediation-demo/orders-consumer/orders/orders");
  }

  @Test
  void aTypedStartWritesOnlyItsTargetsFieldsAndReadsBackEqual() {
    RemediationRequest request =
        new RemediationRequest(
                "OomRemediation",
                new WorkloadTarget("demo", "checkout", "app", ""),
                "critical",
                new AlertNotice(
                    "KubePodOOMKilled", "firing", "f", "2026-12-01T00:00:00Z", null, null, "x"),
                "alice")
            .withLimits(RemediationLimits.maxReplicas(3));

    String json = write(request);

    assertThat(json)
        .contains("\"target\":{\"namespace\":\"demo\",\"deployment\":\"checkout\"")
        .contains("\"run\":{\"severity\":\"critical\"")
        .doesNotContain("consumerGroup")
        .doesNotContain("\"policy\"");
    assertThat(read(json, RemediationRequest.class)).isEqualTo(request);
  }

  @Test
  void theFlatFormATctlUserTypesReadsAsAnEnvelope() {
    RemediationRequest request =
        read(
            """
            {"procedure":"PostgresConnectionRemediation","severity":"medium",
             "target":{"database":"orders"}}
            """,
            RemediationRequest.class);

    assertThat(request.target()).isEqualTo(new DatabaseTarget("orders"));
    assertThat(request.run()).isEqualTo(new RunEnvelope("medium", null, "opsflow", null));
    assertThat(request.workflowId()).isEqualTo("heal-postgres-connection-remediation");
  }

  @Test
  void aFieldTheProceduresTargetDoesNotHaveIsNamedForTheDoorsToRefuse() {
    assertThat(
            Target.unusedFields(
                "CrashLoopRemediation",
                Map.of("namespace", "demo", "consumerGroup", "g", "database", "", "topic", " ")))
        .containsExactly("consumerGroup");
    assertThat(Target.fieldsOf("KafkaLagRemediation"))
        .containsExactly("namespace", "deployment", "consumerGroup", "topic");
  }

  @Test
  void aWatchdogsTargetsReadAsTheRecordsOfItsCheck() {
    WatchdogInput input =
        read(
            """
            {"check":"kafka","targets":[{"namespace":"demo","deployment":"c","container":"",
             "consumerGroup":"g","topic":"","database":"","podSelector":""}],
             "policy":null,"iteration":3,"problemSince":{}}
            """,
            WatchdogInput.class);

    assertThat(input.targets()).containsExactly(new ConsumerGroupTarget("demo", "c", "g", ""));
    assertThat(input.iteration()).isEqualTo(3);
    assertThat(read(write(input), WatchdogInput.class)).isEqualTo(input);
    assertThat(
            List.of("kafka", "postgres", "pods", "disk").stream().map(WatchdogInput::procedureOf))
        .containsExactly(
            "KafkaLagRemediation",
            "PostgresConnectionRemediation",
            "CrashLoopRemediation",
            "DiskPressureRemediation");
  }

  private static String write(Object value) {
    Optional<Payload> payload = TEMPORAL.toPayload(value);
    return payload.orElseThrow().getData().toString(StandardCharsets.UTF_8);
  }

  private static <T> T read(String json, Class<T> type) {
    Payload payload =
        Payload.newBuilder()
            .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
            .setData(com.google.protobuf.ByteString.copyFromUtf8(json))
            .build();
    return TEMPORAL.fromPayload(payload, type, type);
  }
}
