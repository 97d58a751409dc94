package dev.opsflow.contracts.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlueGreenRequestTest {
  private static final RolloutTarget WEB = new RolloutTarget("shop", "web", "web", null, "web:2");

  @Test
  void aRequestWithATargetAndAPreviewServiceHasNoProblemsAndAnalysesPreAndPostTheSameWay() {
    BlueGreenRequest request =
        new BlueGreenRequest(WEB, "web-preview", null, null, false, null, null, null);

    assertThat(request.problems()).isEmpty();
    assertThat(request.postAnalysisOrDefault()).isEqualTo(request.analysisOrDefault());
    assertThat(BlueGreenRequest.previewOf("web")).isEqualTo("web-preview");
  }

  @Test
  void refusesAMissingOrSamePreviewServiceAndBadSharedFieldsNamingEach() {
    assertThat(new BlueGreenRequest(WEB, null, null, null, false, null, null, null).problems())
        .containsExactly(
            "previewService: is required (the Service that reaches the preview colour)");
    assertThat(new BlueGreenRequest(WEB, "web", null, null, false, null, null, null).problems())
        .containsExactly("previewService: must differ from target.service (the active Service)");
    List<String> problems =
        new BlueGreenRequest(
                new RolloutTarget("Shop", "web", "web", null, "web:2"),
                "Web_Preview",
                null,
                new AnalysisTemplate("post", List.of()),
                false,
                Duration.ofSeconds(-1),
                null,
                null)
            .problems();
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("target.namespace: 'Shop'"))
        .anySatisfy(p -> assertThat(p).startsWith("scaleDownDelay: must not be negative"))
        .anySatisfy(p -> assertThat(p).startsWith("postAnalysis."))
        .anySatisfy(p -> assertThat(p).startsWith("previewService: 'Web_Preview'"));
  }
}
