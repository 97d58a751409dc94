package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeploymentInspectionTest {
  @Test
  void anHpaIsNamedBeforeAScaledObject() {
    DeploymentInspection both =
        new DeploymentInspection("shop", "orders", true, true, 2, "orders-hpa", "keda-hpa", "");
    assertThat(both.scaledBy()).isEqualTo("scaled by HorizontalPodAutoscaler orders-hpa");
    assertThat(both.ownedBy()).isEmpty();
    DeploymentInspection none =
        new DeploymentInspection("shop", "orders", true, true, 2, "", "", "");
    assertThat(none.scaledBy()).isEmpty();
  }

  @Test
  void travelsThroughTemporalAsItsComponentsOnly() {
    var converter = DefaultDataConverter.STANDARD_INSTANCE;
    DeploymentInspection inspection =
        new DeploymentInspection(
            "shop", "orders", true, false, 3, "", "orders-so", "Argo CD application orders");
    var payload = converter.toPayload(inspection).orElseThrow();
    assertThat(payload.getData().toString(StandardCharsets.UTF_8))
        .doesNotContain("scaledBy", "ownedBy");
    assertThat(
            converter.fromPayload(payload, DeploymentInspection.class, DeploymentInspection.class))
        .isEqualTo(inspection);
  }
}
