package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.ModelChecks;
import dev.opsflow.sandbox.model.ModelServer;
import dev.opsflow.sandbox.traffic.RequestMetrics;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's applications expose the metrics the built-in and model checks read (the sandbox
 * does not depend on the contracts, so the names are written twice; this keeps them equal, the
 * contracts' being the source of truth).
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

  @Test
  void theSandboxModelServerCountsWhatTheModelChecksQuery() {
    assertThat(ModelServer.PREDICTIONS).isEqualTo(ModelChecks.PREDICTIONS);
    assertThat(ModelServer.ACCURACY_QUERY).isEqualTo(ModelChecks.ACCURACY_QUERY);
    // the rollouts' default accuracy check reads exactly that query
    assertThat(ModelChecks.versusProduction(60, 5).metrics())
        .filteredOn(m -> m.name().equals("accuracy"))
        .singleElement()
        .satisfies(m -> assertThat(m.query()).isEqualTo(ModelServer.ACCURACY_QUERY));
  }
}
