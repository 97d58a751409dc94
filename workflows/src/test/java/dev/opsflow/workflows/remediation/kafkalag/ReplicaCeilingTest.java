package dev.opsflow.workflows.remediation.kafkalag;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaCeilingTest {
  @ParameterizedTest(name = "current {0}, lag {1}, partitions {3} -> {6}")
  @CsvSource({
    // current, lag, perReplica, partitions, min, max, expected
    "1, 20000, 3000, 6, 1, 10, 6", // the case: capped by the 6 partitions
    "1, 20000, 3000, 50, 1, 10, 7", // 7 replicas work off 20,000 at 3,000 each
    "1, 90000, 3000, 50, 1, 10, 10", // never above MAX_REPLICAS
    "8, 3000, 3000, 50, 1, 10, 8", // never scales down
    "0, 100, 3000, 6, 2, 10, 2", // never below MIN_REPLICAS
    "1, 20000, 3000, 0, 1, 10, 7", // unknown partitions: only MAX_REPLICAS bounds
    "6, 20000, 3000, 6, 1, 10, 6", // at the partition ceiling: no change, the workflow escalates
    "12, 20000, 3000, 6, 1, 10, 12", // above a ceiling already: never scaled down by a lag fix
  })
  void desiredReplicasStayWithinEveryCeiling(
      int current, long lag, long perReplica, int partitions, int min, int max, int expected) {
    assertThat(ReplicaCeiling.desiredReplicas(current, lag, perReplica, partitions, min, max))
        .isEqualTo(expected);
  }

  @Test
  void neverScalesUpPastACeilingNorDownForAnyInput() {
    for (int current = 0; current <= 20; current++) {
      for (long lag = 0; lag <= 200_000; lag += 7_919) {
        for (int partitions = 0; partitions <= 30; partitions += 3) {
          int desired = ReplicaCeiling.desiredReplicas(current, lag, 3000, partitions, 1, 10);
          assertThat(desired).isGreaterThanOrEqualTo(current);
          if (desired > current) {
            assertThat(desired).isLessThanOrEqualTo(10);
            if (partitions > 0) {
              assertThat(desired).isLessThanOrEqualTo(Math.max(1, partitions));
            }
          }
        }
      }
    }
  }
}
