package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class HardLimitsTest {
  private final HardLimits limits = new HardLimits(10, "8Gi");

  @Test
  void replicasUpToTheMaximumPassAndAboveAreAPolicyViolation() {
    assertThatCode(() -> limits.requireReplicasAllowed(10, "scaling demo/web"))
        .doesNotThrowAnyException();
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> limits.requireReplicasAllowed(11, "scaling demo/web"));
    assertThat(failure.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "scaling demo/web to 11 replicas refused: above the configured maximum of 10"
                + " (healing.maxReplicas)");
  }

  @Test
  void memoryIsComparedInBytesWhateverTheUnit() {
    assertThatCode(() -> limits.requireMemoryAllowed("memoryLimit", new Quantity("8Gi"), "x"))
        .doesNotThrowAnyException();
    assertThatCode(() -> limits.requireMemoryAllowed("memoryLimit", new Quantity("8192Mi"), "x"))
        .doesNotThrowAnyException();
    assertThatCode(() -> limits.requireMemoryAllowed("memoryLimit", new Quantity("8G"), "x"))
        .as("8G < 8Gi")
        .doesNotThrowAnyException();
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> limits.requireMemoryAllowed("memoryLimit", new Quantity("9G"), "raising x"));
    assertThat(failure.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "raising x: memoryLimit 9G refused: above the configured memory ceiling of 8Gi"
                + " (healing.memoryCeiling)");
  }

  @Test
  void comesFromTheWorkersConfiguration() {
    OpsflowConfig defaults = OpsflowConfig.defaults();
    HardLimits configured = HardLimits.fromConfig(defaults);
    assertThat(configured.maxReplicas()).isEqualTo(defaults.healing().maxReplicas());
    assertThat(configured.memoryCeiling()).isEqualTo(defaults.healing().memoryCeiling());
  }
}
