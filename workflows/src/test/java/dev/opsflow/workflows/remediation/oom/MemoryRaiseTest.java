package dev.opsflow.workflows.remediation.oom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryRaiseTest {
  @Test
  void factorTwoDoublesLimitAndRequest() {
    assertThat(MemoryRaise.raise("1Gi", "512Mi", 2.0, "100Mi", "8Gi"))
        .contains(new MemoryRaise.Raised("2Gi", "1Gi"));
  }

  @Test
  void vpaDefaultsRaiseByTwentyPercentOrAtLeastTheStep() {
    assertThat(MemoryRaise.raise("1Gi", "", 1.2, "100Mi", "8Gi"))
        .contains(new MemoryRaise.Raised("1229Mi", ""));
    assertThat(MemoryRaise.raise("200Mi", "100Mi", 1.2, "100Mi", "8Gi"))
        .as("+100Mi beats x1.2 for small limits")
        .contains(new MemoryRaise.Raised("300Mi", "150Mi"));
  }

  @Test
  void neverAboveTheCeilingAndNothingAtIt() {
    assertThat(MemoryRaise.raise("6Gi", "6Gi", 2.0, "100Mi", "8Gi"))
        .contains(new MemoryRaise.Raised("8Gi", "8Gi"));
    assertThat(MemoryRaise.raise("8Gi", "4Gi", 2.0, "100Mi", "8Gi")).isEmpty();
    assertThat(MemoryRaise.raise("9Gi", "4Gi", 2.0, "100Mi", "8Gi")).isEmpty();
  }
}
