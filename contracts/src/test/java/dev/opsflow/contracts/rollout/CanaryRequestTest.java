package dev.opsflow.contracts.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryRequestTest {
  private static final RolloutTarget WEB = new RolloutTarget("shop", "web", "web", null, "web:2");

  private static CanaryRequest request(RolloutTarget target, List<CanaryStep> steps) {
    return new CanaryRequest(target, steps, null, null, null, false, null, null, null);
  }

  @Test
  void aRequestWithOnlyATargetGetsTheDefaultStepsRouterAndAnalysisAndHasNoProblems() {
    CanaryRequest request = request(WEB, null);

    assertThat(request.problems()).isEmpty();
    assertThat(request.steps()).extracting(CanaryStep::weight).containsExactly(5, 25, 50, 100);
    assertThat(request.router()).isInstanceOf(TrafficRouterSpec.ReplicaRatio.class);
    assertThat(request.analysisOrDefault().metrics())
        .extracting(MetricCheck::name)
        .containsExactly("error-rate");
  }

  @Test
  void refusesTargetNamesThatAreNotKubernetesNamesAndAMissingImage() {
    CanaryRequest request =
        request(new RolloutTarget("Shop", "9web", "web/../x", "App", " "), null);

    assertThat(request.problems())
        .anySatisfy(p -> assertThat(p).startsWith("target.namespace: 'Shop'"))
        .anySatisfy(p -> assertThat(p).startsWith("target.service: '9web'"))
        .anySatisfy(p -> assertThat(p).startsWith("target.deployment: 'web/../x'"))
        .anySatisfy(p -> assertThat(p).startsWith("target.container: 'App'"))
        .anySatisfy(p -> assertThat(p).startsWith("target.image: is required"));
    assertThat(request(null, null).problems())
        .containsExactly("target: is required (namespace, service, deployment, image)");
  }

  @Test
  void refusesWeightsThatDoNotRiseToExactlyOneHundred() {
    List<String> problems =
        request(
                WEB,
                List.of(
                    new CanaryStep(10, Duration.ofMinutes(1)),
                    new CanaryStep(10, Duration.ofMinutes(1)),
                    new CanaryStep(0, null),
                    new CanaryStep(150, Duration.ofSeconds(-1)),
                    new CanaryStep(90, Duration.ZERO)))
            .problems();

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "steps[1].weight: 10 does not rise above the step before (10)",
            "steps[2].weight: 0 is not a percentage from 1 to 100",
            "steps[3].weight: 150 is not a percentage from 1 to 100",
            "steps[3].pause: must not be negative, was PT-1S",
            "steps[4].weight: the last step must give the new version 100, was 90");
  }

  @Test
  void refusesNonPositiveDurationsAndNamesAnalysisAndRouterFields() {
    CanaryRequest request =
        new CanaryRequest(
            WEB,
            null,
            new AnalysisTemplate("http", List.of()),
            new TrafficRouterSpec.HttpRoute("web", "web-stable", "web-stable"),
            Duration.ZERO,
            true,
            Duration.ofSeconds(-5),
            Duration.ofSeconds(-1),
            null);

    assertThat(request.problems())
        .containsExactlyInAnyOrder(
            "progressDeadline: must be positive, was PT0S",
            "scaleDownDelay: must not be negative, was PT-5S",
            "retryWindow: must not be negative, was PT-1S",
            "analysis.metrics: at least one metric is required",
            "router.canaryBackend: must differ from router.stableBackend");
    assertThat(
            new CanaryRequest(
                    WEB,
                    null,
                    null,
                    new TrafficRouterSpec.FeatureFlag("", "new checkout"),
                    null,
                    false,
                    null,
                    null,
                    null)
                .problems())
        .containsExactlyInAnyOrder(
            "router.service: is required (the flag service's name in the configuration)",
            "router.flag: 'new checkout' is not a flag key (letters, digits, . _ -)");
  }
}
