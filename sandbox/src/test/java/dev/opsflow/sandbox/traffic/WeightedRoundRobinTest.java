package dev.opsflow.sandbox.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.sandbox.traffic.TrafficSplit.Backend;
import dev.opsflow.sandbox.traffic.TrafficSplit.Version;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {
  private final WeightedRoundRobin picker = new WeightedRoundRobin();

  private Map<String, Integer> pick(TrafficSplit split, int n) {
    Map<String, Integer> picked = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Optional<String> next = picker.next(split);
      picked.merge(next.orElse("(unserved)"), 1, Integer::sum);
    }
    return picked;
  }

  @Test
  void everyTwentyRequestsExactlyOneGoesToAFivePercentCanary() {
    TrafficSplit split =
        TrafficSplit.byRoute(
            List.of(
                new Backend("web-stable", 95, List.of(new Version("web", "web:1.0", 9))),
                new Backend("web-canary", 5, List.of(new Version("web-canary", "web:2.0", 1)))));

    for (int window = 0; window < 5; window++) {
      assertThat(pick(split, 20)).containsOnly(Map.entry("web", 19), Map.entry("web-canary", 1));
    }
  }

  @Test
  void theUnservedShareSendsNoRequest() {
    TrafficSplit split =
        TrafficSplit.byRoute(
            List.of(
                new Backend("web-stable", 3, List.of(new Version("web", "web:1.0", 2))),
                new Backend("web-canary", 1, List.of())));

    assertThat(pick(split, 400)).containsOnly(Map.entry("web", 300), Map.entry("(unserved)", 100));
  }

  @Test
  void aChangedSplitIsFollowedAtOnce() {
    Version stable = new Version("web", "web:1.0", 5);
    pick(TrafficSplit.byReplicas(List.of(stable, new Version("web-canary", "web:2.0", 5))), 7);

    assertThat(pick(TrafficSplit.byReplicas(List.of(stable)), 10))
        .containsOnly(Map.entry("web", 10));
  }
}
