package dev.opsflow.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageBehaviourTest {

  @Test
  void aTagContainingBadInAnyCaseMakesTheVersionBad() {
    assertThat(ImageBehaviour.of("registry.example/web:2.0-bad")).isEqualTo(ImageBehaviour.BAD);
    assertThat(ImageBehaviour.of("registry.example/web:BAD")).isEqualTo(ImageBehaviour.BAD);
    assertThat(ImageBehaviour.of("web:badger-1")).isEqualTo(ImageBehaviour.BAD);
  }

  @Test
  void anyOtherImageIsGoodEvenWhenBadIsInTheRegistryOrName() {
    assertThat(ImageBehaviour.of("registry.example/web:2.0")).isEqualTo(ImageBehaviour.GOOD);
    assertThat(ImageBehaviour.of("bad-registry:5000/web:1.1")).isEqualTo(ImageBehaviour.GOOD);
    assertThat(ImageBehaviour.of("registry.example/bad-web")).isEqualTo(ImageBehaviour.GOOD);
    assertThat(ImageBehaviour.of(null)).isEqualTo(ImageBehaviour.GOOD);
  }

  @Test
  void theTagFollowsTheLastColonAfterTheLastSlash() {
    assertThat(ImageBehaviour.tag("registry.example:5000/shop/web:2.0-bad")).isEqualTo("2.0-bad");
    assertThat(ImageBehaviour.tag("registry.example:5000/shop/web")).isEqualTo("latest");
    assertThat(ImageBehaviour.tag("web:1.0@sha256:abc")).isEqualTo("1.0");
  }

  @Test
  void aBadVersionFailsFiftyTimesMoreOftenAndIsSlower() {
    assertThat(ImageBehaviour.BAD.errorRatio()).isEqualTo(0.10);
    assertThat(ImageBehaviour.GOOD.errorRatio()).isEqualTo(0.002);
    assertThat(ImageBehaviour.BAD.minLatencySeconds())
        .isGreaterThan(ImageBehaviour.GOOD.maxLatencySeconds());
  }
}
