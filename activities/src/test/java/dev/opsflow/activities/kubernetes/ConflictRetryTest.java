package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConflictRetryTest {
  private static KubernetesClientException answered(int code) {
    return new KubernetesClientException("answered " + code, code, null);
  }

  @Test
  void aConflictRunsTheWholeWriteAgainFromItsRead() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    KubernetesActivitiesImpl.Call<String> write =
        () -> {
          if (runs.incrementAndGet() < 3) {
            throw answered(409);
          }
          return "patched";
        };

    assertThat(KubernetesActivitiesImpl.rereadOnConflict("scale x", write).run())
        .isEqualTo("patched");
    assertThat(runs).hasValue(3);
  }

  @Test
  void conflictsThatNeverEndAndOtherAnswersReachTheCallerAfterBoundedRuns() {
    AtomicInteger conflicts = new AtomicInteger();
    KubernetesActivitiesImpl.Call<String> alwaysConflicting =
        () -> {
          conflicts.incrementAndGet();
          throw answered(409);
        };
    assertThatThrownBy(
            () -> KubernetesActivitiesImpl.rereadOnConflict("scale x", alwaysConflicting).run())
        .isInstanceOf(KubernetesClientException.class);
    assertThat(conflicts).hasValue(KubernetesActivitiesImpl.CONFLICT_ATTEMPTS);

    AtomicInteger forbidden = new AtomicInteger();
    KubernetesActivitiesImpl.Call<String> refused =
        () -> {
          forbidden.incrementAndGet();
          throw answered(403);
        };
    assertThatThrownBy(() -> KubernetesActivitiesImpl.rereadOnConflict("scale x", refused).run())
        .isInstanceOf(KubernetesClientException.class);
    assertThat(forbidden).as("only a conflict is run again").hasValue(1);
  }
}
