package dev.opsflow.activities.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.InvalidNameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"orders", "orders.v2", "orders_dlq", "Orders-1", "..."})
  void acceptsKafkaTopicNames(String topic) {
    assertThat(KafkaNames.topic("topic", topic)).isEqualTo(topic);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "orders/x", "orders x", "orders\n", "orders%2F", "ördrs"})
  void refusesWhatKafkaWouldNotAcceptAsATopic(String topic) {
    assertThatThrownBy(() -> KafkaNames.topic("topic", topic))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageStartingWith("topic ");
  }

  @Test
  void aTopicIsAtMost249Characters() {
    assertThat(KafkaNames.topic("topic", "t".repeat(249))).hasSize(249);
    assertThatThrownBy(() -> KafkaNames.topic("topic", "t".repeat(250)))
        .hasMessageContaining("1-249");
  }

  @Test
  void aGroupIdIsBoundedAndHasNoControlCharacters() {
    assertThat(KafkaNames.consumerGroup("groupId", "orders consumers/v2")).isNotEmpty();
    assertThat(KafkaNames.consumerGroup("groupId", "g".repeat(255))).hasSize(255);
    assertThatThrownBy(() -> KafkaNames.consumerGroup("groupId", "g".repeat(256)))
        .hasMessageStartingWith("groupId 'ggg");
    assertThatThrownBy(() -> KafkaNames.consumerGroup("groupId", "orders\r\nINFO forged"))
        .hasMessageStartingWith("groupId 'orders\\r\\nINFO forged' is not valid");
    assertThatThrownBy(() -> KafkaNames.consumerGroup("groupId", "a\u0000b"))
        .isInstanceOf(InvalidNameException.class);
  }
}
