package dev.opsflow.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaIT {

  static {
    for (String name : List.of("kafka", "org.apache.kafka")) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
    }
  }

  @Test
  void seedsAStoppedGroupWithExactLagAndDeletesItsDataOnClose() throws Exception {
    Path dataDir;
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        Admin admin = admin(kafka.bootstrapServers())) {
      dataDir = kafka.dataDirectory();
      assertThat(dataDir).isDirectory();

      long lag = kafka.seedLaggingGroup("orders", 3, "billing", 1_000, 100);

      assertThat(lag).isEqualTo(900);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get();
      assertThat(committed)
          .containsOnlyKeys(tp("orders", 0), tp("orders", 1), tp("orders", 2))
          .extractingByKeys(tp("orders", 0), tp("orders", 1), tp("orders", 2))
          .extracting(OffsetAndMetadata::offset)
          .containsExactly(34L, 33L, 33L);
      Map<TopicPartition, Long> endOffsets =
          admin
              .listOffsets(
                  committed.keySet().stream()
                      .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
              .all()
              .get()
              .entrySet()
              .stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      assertThat(endOffsets)
          .containsEntry(tp("orders", 0), 334L)
          .containsEntry(tp("orders", 1), 333L)
          .containsEntry(tp("orders", 2), 333L);
      ConsumerGroupDescription group =
          admin.describeConsumerGroups(List.of("billing")).all().get().get("billing");
      assertThat(group.members()).isEmpty();
      assertThat(group.groupState()).isEqualTo(GroupState.EMPTY);
    }
    assertThat(dataDir).doesNotExist();
  }

  private static Admin admin(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return Admin.create(props);
  }

  private static TopicPartition tp(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }
}
