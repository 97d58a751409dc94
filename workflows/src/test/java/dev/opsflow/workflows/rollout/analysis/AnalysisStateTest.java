package dev.opsflow.workflows.rollout.analysis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An analysis in progress is workflow state: it survives Temporal's data converter unchanged (for
 * queries, continue-as-new and a tctl user's input), and workflow code never evaluates a condition
 * itself (CEL stays in the metrics activity, whose result the history records).
 */
class AnalysisStateTest {
  private static final DataConverter TEMPORAL = DefaultDataConverter.STANDARD_INSTANCE;

  @Test
  void aRunInProgressRoundTripsThroughTemporalsDataConverter() {
    AnalysisRun run =
        AnalysisRun.start(
                new AnalysisTemplate(
                    "http",
                    List.of(
                        BuiltInChecks.errorRateBelow(0.01),
                        BuiltInChecks.errorRateVersusStable(1.5, 0.001).asDryRun())),
                1_000)
            .record(
                new Measurement(
                    "error-rate",
                    MeasurementPhase.SUCCESSFUL,
                    List.of(0.002),
                    List.of(),
                    "result=0.002: successCondition 'result < 0.01' holds",
                    1.7e9),
                2_000);

    Optional<Payload> payload = TEMPORAL.toPayload(run);
    AnalysisRun back =
        TEMPORAL.fromPayload(payload.orElseThrow(), AnalysisRun.class, AnalysisRun.class);

    assertThat(back).isEqualTo(run);
    assertThat(back.metrics().get(0).successful()).isEqualTo(1);
  }

  @Test
  void aMetricTypedAsJsonGetsArgosDefaults() {
    String json =
        "{\"name\":\"error-rate\",\"query\":\"x{d=\\\"{{canary}}\\\"}\",\"intervalSeconds\":60,"
            + "\"count\":5,\"successCondition\":\"result < 0.01\"}";
    Payload payload =
        TEMPORAL.toPayload(json).orElseThrow().toBuilder()
            .setData(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8))
            .build();

    MetricCheck check = TEMPORAL.fromPayload(payload, MetricCheck.class, MetricCheck.class);

    assertThat(check.consecutiveErrorLimit())
        .isEqualTo(MetricCheck.DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    assertThat(check.failureLimit()).isZero();
    assertThat(check.dryRun()).isFalse();
    assertThat(check.problems()).isEmpty();
  }

  @Test
  void workflowCodeNeverEvaluatesAnExpressionItself() {
    JavaClasses workflows =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.opsflow.workflows");
    assertThat(workflows.contain(AnalysisRun.class)).isTrue();

    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.cel..")
        .because(
            "conditions are evaluated in MetricsActivities.measure, so the history records their"
                + " outcome and a replay never depends on the CEL version")
        .check(workflows);
  }
}
