package dev.opsflow.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  @Test
  void spreadsRecordsRoundRobinWithTheRemainderOnTheFirstPartitions() {
    assertThat(EmbeddedKafka.spread(20_000, 6))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(0, 3334L, 1, 3334L, 2, 3333L, 3, 3333L, 4, 3333L, 5, 3333L));
    assertThat(EmbeddedKafka.spread(2, 4))
        .containsExactlyInAnyOrderEntriesOf(Map.of(0, 1L, 1, 1L, 2, 0L, 3, 0L));
  }
}
