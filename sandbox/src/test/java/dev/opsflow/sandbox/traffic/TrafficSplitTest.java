package dev.opsflow.sandbox.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.opsflow.sandbox.traffic.TrafficSplit.Backend;
import dev.opsflow.sandbox.traffic.TrafficSplit.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {
  private static final Version STABLE = new Version("web", "web:1.0", 9);
  private static final Version CANARY = new Version("web-canary", "web:2.0", 1);

  @Test
  void aServiceSplitsByReadyReplicas() {
    TrafficSplit split = TrafficSplit.byReplicas(List.of(STABLE, CANARY));

    assertThat(split.share("web")).isCloseTo(0.9, within(1e-12));
    assertThat(split.share("web-canary")).isCloseTo(0.1, within(1e-12));
    assertThat(split.unserved()).isCloseTo(0, within(1e-12));
  }

  @Test
  void aCanaryWithNoReadyReplicaGetsNothingAndTheStableAll() {
    TrafficSplit split =
        TrafficSplit.byReplicas(List.of(STABLE, new Version("web-canary", "web:2.0", 0)));

    assertThat(split.share("web")).isEqualTo(1.0);
    assertThat(split.share("web-canary")).isZero();
    assertThat(split.version("web-canary")).isPresent();
  }

  @Test
  void aRouteSplitsByBackendWeightsWhateverTheReplicas() {
    TrafficSplit split =
        TrafficSplit.byRoute(
            List.of(
                new Backend("web-stable", 80, List.of(STABLE)),
                new Backend("web-canary", 20, List.of(CANARY))));

    assertThat(split.share("web")).isCloseTo(0.8, within(1e-12));
    assertThat(split.share("web-canary")).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void aRouteBackendThatSelectsBothVersionsSplitsItsWeightByReplicas() {
    TrafficSplit split =
        TrafficSplit.byRoute(
            List.of(
                new Backend("web", 50, List.of(STABLE, CANARY)),
                new Backend("web-canary", 50, List.of(CANARY))));

    assertThat(split.share("web")).isCloseTo(0.45, within(1e-12));
    assertThat(split.share("web-canary")).isCloseTo(0.55, within(1e-12));
  }

  @Test
  void aRouteBackendWithNoReadyPodLeavesItsShareUnserved() {
    TrafficSplit split =
        TrafficSplit.byRoute(
            List.of(
                new Backend("web-stable", 95, List.of(STABLE)),
                new Backend("web-canary", 5, List.of())));

    assertThat(split.share("web")).isCloseTo(0.95, within(1e-12));
    assertThat(split.unserved()).isCloseTo(0.05, within(1e-12));
  }

  @Test
  void nothingSelectedServesNothing() {
    assertThat(TrafficSplit.byReplicas(List.of()).unserved()).isEqualTo(1.0);
    assertThat(TrafficSplit.byRoute(List.of(new Backend("web", 0, List.of(STABLE)))).share("web"))
        .isZero();
  }
}
