package dev.opsflow.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestOutcomesTest {
  private final RequestOutcomes outcomes = new RequestOutcomes(1L);

  private List<RequestOutcomes.Outcome> serve(String deployment, String image, int n) {
    List<RequestOutcomes.Outcome> served = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      served.add(outcomes.next(deployment, image));
    }
    return served;
  }

  @Test
  void aBadImageAnswersEveryTenthRequestWith500() {
    List<RequestOutcomes.Outcome> served =
        serve("web-canary", "registry.example/web:2.0-bad", 1000);

    assertThat(served.stream().filter(o -> o.code() == 500)).hasSize(100);
    assertThat(served.get(9).code()).isEqualTo(500);
    assertThat(served.subList(0, 9)).allMatch(o -> o.code() == 200);
    assertThat(served).allMatch(o -> o.latencySeconds() >= 0.120 && o.latencySeconds() <= 0.400);
  }

  @Test
  void aGoodImageFailsOneRequestInFiveHundredAndNoneBefore() {
    List<RequestOutcomes.Outcome> served = serve("web", "registry.example/web:1.0", 1000);

    assertThat(served.stream().filter(o -> o.code() == 500)).hasSize(2);
    assertThat(served.subList(0, 499)).allMatch(o -> o.code() == 200);
    assertThat(served).allMatch(o -> o.latencySeconds() >= 0.010 && o.latencySeconds() <= 0.040);
  }

  @Test
  void eachDeploymentKeepsItsOwnErrorSpacing() {
    for (int i = 0; i < 9; i++) {
      outcomes.next("web-canary", "web:bad");
      outcomes.next("web", "web:1.0");
    }

    assertThat(outcomes.next("web", "web:1.0").code()).isEqualTo(200);
    assertThat(outcomes.next("web-canary", "web:bad").code()).isEqualTo(500);
  }
}
