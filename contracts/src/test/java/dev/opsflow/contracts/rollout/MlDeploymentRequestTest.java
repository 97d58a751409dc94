package dev.opsflow.contracts.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlDeploymentRequestTest {
  private static final RolloutTarget MODEL =
      new RolloutTarget("demo", "model", "model", null, "registry.example/model-server:v2");

  private static MlDeploymentRequest minimal(String version) {
    return new MlDeploymentRequest(MODEL, version, null, null, null, null, null, null, null);
  }

  @Test
  void aTargetAndAVersionAreEnoughAndTheRestIsTheAutomationModulesParameters() {
    MlDeploymentRequest request = minimal("v2");

    assertThat(request.problems()).isEmpty();
    assertThat(request.acceptanceThreshold()).isEqualTo(0.92);
    assertThat(request.trafficPercentage()).isEqualTo(5);
    assertThat(request.monitoringDuration()).isEqualTo(Duration.ofSeconds(1800));
    assertThat(request.maxRollbackTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(request.previewServiceOrDefault()).isEqualTo("model-preview");
    assertThat(request.run().requestedBy()).isEqualTo("opsflow");
  }

  @Test
  void theDefaultAnalysisComparesAccuracyLatencyAndErrorRateWithProductionAcrossTheMonitoring() {
    AnalysisTemplate canary = minimal("v2").analysisOrDefault();

    assertThat(canary.problems()).isEmpty();
    assertThat(canary.metrics())
        .extracting(MetricCheck::name)
        .containsExactly("accuracy", "latency", "error_rate");
    // 1800 s: every 60 s, 30 times, the last one at the end of the monitoring.
    assertThat(canary.metrics())
        .allSatisfy(
            m -> {
              assertThat(m.intervalSeconds()).isEqualTo(60);
              assertThat(m.count()).isEqualTo(30);
              assertThat(m.successCondition()).contains("stable");
            });
    assertThat(canary.metric("accuracy").successCondition()).isEqualTo("result >= stable - 0.02");
    // A short monitoring still measures five times within it.
    MlDeploymentRequest shortOne =
        new MlDeploymentRequest(
            MODEL, "v2", null, null, null, Duration.ofMinutes(2), null, null, null);
    assertThat(shortOne.analysisOrDefault().metric("latency"))
        .satisfies(
            m -> {
              assertThat(m.intervalSeconds()).isEqualTo(24);
              assertThat(m.count()).isEqualTo(5);
            });
  }

  @Test
  void theFullDeploymentIsABlueGreenOfTheSameTargetWithShortConfirmingAnalysesAndNoRetry() {
    BlueGreenRequest full = minimal("v2").fullDeployment();

    assertThat(full.problems()).isEmpty();
    assertThat(full.target()).isEqualTo(MODEL);
    assertThat(full.previewService()).isEqualTo("model-preview");
    assertThat(full.retryWindow()).isZero();
    assertThat(full.analysisOrDefault().metrics())
        .allSatisfy(m -> assertThat(m.count()).isEqualTo(3));
    assertThat(full.postAnalysisOrDefault()).isEqualTo(full.analysisOrDefault());
  }

  @Test
  void refusesEveryBadFieldNamingIt() {
    List<String> problems =
        new MlDeploymentRequest(
                new RolloutTarget("demo", "model", "model", null, " "),
                "../v2",
                "model",
                0.0,
                100,
                Duration.ZERO,
                new AnalysisTemplate("x", List.of()),
                Duration.ofSeconds(-5),
                null)
            .problems();

    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("target.image: is required"))
        .anySatisfy(p -> assertThat(p).startsWith("modelVersion: '../v2' is not a model version"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "previewService: must differ from target.service (the active Service)"))
        .anySatisfy(
            p -> assertThat(p).startsWith("acceptanceThreshold: must be an accuracy above 0"))
        .anySatisfy(p -> assertThat(p).startsWith("trafficPercentage: must be from 1 to 99"))
        .anySatisfy(p -> assertThat(p).startsWith("monitoringDuration: must be positive"))
        .anySatisfy(p -> assertThat(p).startsWith("maxRollbackTime: must be positive"))
        .anySatisfy(p -> assertThat(p).startsWith("analysis.metrics: at least one"));
    assertThat(minimal(null).problems())
        .containsExactly(
            "modelVersion: is required (the candidate as the model server names it, e.g. v2)");
    assertThat(
            new MlDeploymentRequest(MODEL, "v2", null, Double.NaN, null, null, null, null, null)
                .problems())
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("acceptanceThreshold:"));
  }

  @Test
  void aStageRunsOnTheOwnersIdWithANameNoDeploymentCanHave() {
    assertThat(MODEL.stageWorkflowId("blue-green")).isEqualTo("rollout-demo.model:blue-green");
  }
}
