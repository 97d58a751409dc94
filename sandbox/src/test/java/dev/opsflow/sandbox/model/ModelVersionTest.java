package dev.opsflow.sandbox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The ML pipeline's {@code validate_model} uses {@code acceptance_threshold} 0.92 by default. */
class ModelVersionTest {
  private static final double ACCEPTANCE_THRESHOLD = 0.92;
  private final ValidationSet set = ValidationSet.load();

  @Test
  void versionOnePassesTheDefaultAcceptanceThreshold() {
    ModelVersion.Evaluation v1 = ModelVersion.V1.evaluate(set);

    assertThat(v1.examples()).isEqualTo(400);
    assertThat(v1.accuracy()).isGreaterThanOrEqualTo(ACCEPTANCE_THRESHOLD);
    assertThat(v1.accuracy()).isCloseTo(0.955, within(1e-9));
  }

  @Test
  void versionTwoFailsTheDefaultAcceptanceThresholdButIsNoCoinFlip() {
    ModelVersion.Evaluation v2 = ModelVersion.V2.evaluate(set);

    assertThat(v2.accuracy()).isLessThan(ACCEPTANCE_THRESHOLD);
    assertThat(v2.accuracy()).isCloseTo(0.84, within(1e-9));
  }

  @Test
  void predictsFromTheLogisticOfTheWeightedSum() {
    double[] x = {1.0, 0.0, 0.0, 0.0};

    // z = 0.15 + 1.9 = 2.05
    assertThat(ModelVersion.V1.probability(x)).isCloseTo(1 / (1 + Math.exp(-2.05)), within(1e-12));
    assertThat(ModelVersion.V1.predict(x)).isEqualTo(1);
    assertThat(ModelVersion.V1.predict(new double[] {-1, 1, 0, 0})).isZero();
  }

  @Test
  void refusesTheWrongNumberOfFeaturesNamingTheField() {
    assertThatThrownBy(() -> ModelVersion.V1.predict(new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("features:");
  }
}
