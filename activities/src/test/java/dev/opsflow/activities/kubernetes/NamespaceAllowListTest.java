package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceAllowListTest {
  private final NamespaceAllowList allowList = new NamespaceAllowList(List.of("demo", "payments"));

  @Test
  void allowsOnlyListedNamespaces() {
    assertThat(allowList.allows("demo")).isTrue();
    assertThat(allowList.allows("payments")).isTrue();
    assertThat(allowList.allows("kube-system")).isFalse();
    assertThat(allowList.allows("")).isFalse();
    assertThat(allowList.allows(null)).isFalse();
  }

  @Test
  void refusalIsNonRetryableAndNamesTheSetting() {
    assertThatThrownBy(() -> allowList.requireAllowed("kube-system", "scaling coredns"))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("kube-system", "[demo, payments]", "kubernetes.allowedNamespaces");
            });
  }
}
