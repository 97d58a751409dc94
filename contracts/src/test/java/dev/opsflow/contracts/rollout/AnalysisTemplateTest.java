package dev.opsflow.contracts.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisTemplateTest {

  private static MetricCheck check(String name, String query, int count, int failureLimit) {
    return new MetricCheck(
        name, query, 60, count, "result < 0.01", null, failureLimit, 0, null, false);
  }

  @Test
  void theBuiltInTemplatesAreValid() {
    AnalysisTemplate template =
        new AnalysisTemplate(
            "http",
            List.of(
                BuiltInChecks.errorRateBelow(0.01),
                BuiltInChecks.p99LatencyBelow(0.5),
                BuiltInChecks.errorRateVersusStable(1.5, 0.001)));

    assertThat(template.problems()).isEmpty();
    assertThat(template.metric("error-rate").successCondition()).isEqualTo("result < 0.01");
    assertThat(template.metric("error-rate-vs-stable").successCondition())
        .isEqualTo("result <= 1.5 * stable || result <= 0.001");
    assertThat(template.metric("p99-latency").query()).contains("histogram_quantile(0.99");
  }

  @Test
  void refusesBadInputNamingTheField() {
    AnalysisTemplate template =
        new AnalysisTemplate(
            "http",
            List.of(
                check("error-rate", "", 5, 0),
                check("latency", "x{d=\"{{canary}}\"}", 3, 3),
                new MetricCheck("neg", "x", -1, 0, null, null, -1, -2, -3, false),
                check("latency", "x{d=\"{{version}}\"}", 1, 0)));

    assertThat(template.problems())
        .anyMatch(p -> p.startsWith("metrics[error-rate].query: is required"))
        .anyMatch(p -> p.startsWith("metrics[latency].failureLimit: must be below count"))
        .anyMatch(p -> p.startsWith("metrics[neg].intervalSeconds: must not be negative"))
        .anyMatch(p -> p.startsWith("metrics[neg].count: must be at least 1"))
        .anyMatch(p -> p.startsWith("metrics[neg].successCondition: is required"))
        .anyMatch(p -> p.startsWith("metrics[neg].failureLimit: must not be negative"))
        .anyMatch(p -> p.startsWith("metrics[neg].inconclusiveLimit: must not be negative"))
        .anyMatch(p -> p.startsWith("metrics[neg].consecutiveErrorLimit: must not be negative"))
        .anyMatch(p -> p.startsWith("metrics[latency].name: 'latency' is used by another metric"))
        .anyMatch(p -> p.startsWith("metrics[latency].query: uses the unknown placeholder"));
  }

  @Test
  void refusesATemplateThatOnlyDryRuns() {
    AnalysisTemplate template =
        new AnalysisTemplate("shadow", List.of(BuiltInChecks.errorRateBelow(0.01).asDryRun()));

    assertThat(template.problems())
        .containsExactly(
            "metrics: every metric is a dry run, so nothing would decide the analysis");
    assertThat(new AnalysisTemplate(null, List.of()).problems())
        .containsExactly("name: is required", "metrics: at least one metric is required");
  }

  @Test
  void consecutiveErrorLimitDefaultsToArgos() {
    assertThat(check("a", "x", 1, 0).consecutiveErrorLimit()).isEqualTo(4);
  }

  @Test
  void refusesSubjectNamesThatAreNotKubernetesNames() {
    assertThat(new AnalysisSubject("shop", "web", "web-v2", "web-v1").problems()).isEmpty();
    assertThat(new AnalysisSubject("Shop", null, "web\"} or up{", null).problems())
        .anySatisfy(p -> assertThat(p).startsWith("namespace: 'Shop'"))
        .anySatisfy(p -> assertThat(p).startsWith("canary: 'web\"} or up{'"));
    assertThat(new AnalysisSubject("shop", null, null, null).problems())
        .containsExactly("canary: is required");
  }

  @Test
  void thresholdsBecomeCelDoubleLiterals() {
    assertThat(BuiltInChecks.literal(1)).isEqualTo("1.0");
    assertThat(BuiltInChecks.literal(0.00001)).isEqualTo("0.00001");
  }
}
