package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.sandbox.traffic.RequestMetrics;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's applications expose the metrics the built-in checks read (the sandbox does not
 * depend on the contracts, so the names are written twice; this keeps them equal).
 */
class SandboxMetricNamesTest {

  @Test
  void theSandboxAppsExposeTheSeriesTheBuiltInChecksQuery() {
    RequestMetrics metrics = new RequestMetrics();
    metrics.record("shop", "web-canary", 500, 0.2);

    assertThat(RequestMetrics.REQUESTS).isEqualTo(BuiltInChecks.REQUESTS);
    assertThat(RequestMetrics.DURATION).isEqualTo(BuiltInChecks.DURATION);
    assertThat(metrics.exposition())
        .contains(
            BuiltInChecks.REQUESTS
                + "{code=\"500\",deployment=\"web-canary\",namespace=\"shop\"} 1")
        .contains(
            BuiltInChecks.DURATION
                + "_bucket{deployment=\"web-canary\",namespace=\"shop\",le=\"0.25\"} 1")
        .contains(
            BuiltInChecks.DURATION
                + "_bucket{deployment=\"web-canary\",namespace=\"shop\",le=\"0.1\"} 0");
  }
}
