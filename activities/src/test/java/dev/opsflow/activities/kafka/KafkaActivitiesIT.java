package dev.opsflow.activities.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Against a real single-node Kafka, started once for the class. */
class KafkaActivitiesIT {
  private static final String TOPIC = "orders";
  private static final Duration API_TIMEOUT = Duration.ofSeconds(10);

  private static EmbeddedKafka kafka;
  private static KafkaActivitiesImpl activities;

  static {
    for (String name : List.of("kafka", "org.apache.kafka")) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
    }
  }

  @BeforeAll
  static void seedStoppedGroups() {
    kafka = EmbeddedKafka.start();
    kafka.createTopic(TOPIC, 6);
    // Partitions 0 and 1 end at offset 3334, partitions 2 to 5 at 3333.
    kafka.produce(TOPIC, 20_000);
    // "billing" has read 1,000 records in total and its consumers stopped.
    kafka.commitOffsets(
        "billing", TOPIC, Map.of(0, 200L, 1, 200L, 2, 150L, 3, 150L, 4, 150L, 5, 150L));
    // "audit" never committed on partitions 3 to 5.
    kafka.commitOffsets("audit", TOPIC, Map.of(0, 3334L, 1, 1000L, 2, 3333L));
    activities =
        new KafkaActivitiesImpl(
            KafkaActivitiesImpl.createAdmin(kafka.bootstrapServers(), API_TIMEOUT), API_TIMEOUT);
  }

  @AfterAll
  static void stop() {
    if (activities != null) {
      activities.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void measuresTheExactLagOfAStoppedGroupPerPartition() {
    ConsumerLag lag = activities.consumerGroupLag(new ConsumerLagRequest("billing", TOPIC));

    assertThat(lag.groupId()).isEqualTo("billing");
    assertThat(lag.totalLag()).isEqualTo(19_000);
    assertThat(lag.partitions())
        .containsExactly(
            new PartitionLag(TOPIC, 0, 200, 3334, 3134),
            new PartitionLag(TOPIC, 1, 200, 3334, 3134),
            new PartitionLag(TOPIC, 2, 150, 3333, 3183),
            new PartitionLag(TOPIC, 3, 150, 3333, 3183),
            new PartitionLag(TOPIC, 4, 150, 3333, 3183),
            new PartitionLag(TOPIC, 5, 150, 3333, 3183));
    assertThat(lag.partitionsWithoutCommit()).isEmpty();
    assertThat(lag.partitionCountByTopic()).containsExactly(Map.entry(TOPIC, 6));
  }

  @Test
  void measuresEveryTopicOfTheGroupWhenNoTopicIsGiven() {
    ConsumerLag lag = activities.consumerGroupLag(ConsumerLagRequest.allTopics("billing"));

    assertThat(lag.totalLag()).isEqualTo(19_000);
    assertThat(lag.partitions()).hasSize(6);
    assertThat(lag.partitionCountByTopic()).containsExactly(Map.entry(TOPIC, 6));
  }

  @Test
  void listsPartitionsWithoutACommitApartAndDoesNotCountThem() {
    ConsumerLag lag = activities.consumerGroupLag(new ConsumerLagRequest("audit", ""));

    assertThat(lag.totalLag()).isEqualTo(2_334);
    assertThat(lag.partitions())
        .containsExactly(
            new PartitionLag(TOPIC, 0, 3334, 3334, 0),
            new PartitionLag(TOPIC, 1, 1000, 3334, 2334),
            new PartitionLag(TOPIC, 2, 3333, 3333, 0));
    assertThat(lag.partitionsWithoutCommit())
        .containsExactly(
            new PartitionRef(TOPIC, 3), new PartitionRef(TOPIC, 4), new PartitionRef(TOPIC, 5));
    assertThat(lag.partitionCountByTopic()).containsExactly(Map.entry(TOPIC, 6));
  }

  @Test
  void describesAStoppedGroupAsEmptyWithNoMembers() {
    ConsumerGroupSummary group = activities.describeConsumerGroup("billing");

    assertThat(group).isEqualTo(new ConsumerGroupSummary("billing", "EMPTY", 0, List.of(TOPIC)));
  }

  @Test
  void unknownGroupIsNotFoundAndNotRetried() {
    assertFailure(
        () -> activities.describeConsumerGroup("no-such-group"), FailureTypes.NOT_FOUND, true);
    assertFailure(
        () -> activities.consumerGroupLag(ConsumerLagRequest.allTopics("no-such-group")),
        FailureTypes.NOT_FOUND,
        true);
  }

  @Test
  void unknownTopicOfAKnownGroupIsNotFound() {
    assertFailure(
        () -> activities.consumerGroupLag(new ConsumerLagRequest("billing", "no-such-topic")),
        FailureTypes.NOT_FOUND,
        true);
  }

  @Test
  void blankGroupIdIsInvalidInput() {
    assertFailure(() -> activities.describeConsumerGroup(" "), FailureTypes.INVALID_INPUT, true);
    assertFailure(
        () -> activities.consumerGroupLag(new ConsumerLagRequest(null, TOPIC)),
        FailureTypes.INVALID_INPUT,
        true);
  }

  @Test
  void runsAsATemporalActivityAndReportsUnknownGroupsAsNotFound() {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(activities);
      KafkaActivities stub = env.newActivityStub(KafkaActivities.class, KafkaOptions.READ_KAFKA);

      assertThat(stub.consumerGroupLag(new ConsumerLagRequest("billing", TOPIC)).totalLag())
          .isEqualTo(19_000);

      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class, () -> stub.describeConsumerGroup("no-such-group"));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(FailureTypes.NOT_FOUND);
      assertThat(cause.isNonRetryable()).isTrue();
    } finally {
      env.close();
    }
  }

  @Test
  void unreachableBrokerFailsTheAttemptRetryably() throws IOException {
    Duration shortTimeout = Duration.ofSeconds(2);
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try (KafkaActivitiesImpl unreachable =
        new KafkaActivitiesImpl(
            KafkaActivitiesImpl.createAdmin("127.0.0.1:" + closedPort(), shortTimeout),
            shortTimeout)) {
      env.registerActivitiesImplementations(unreachable);
      KafkaActivities stub = env.newActivityStub(KafkaActivities.class, KafkaOptions.READ_KAFKA);

      long started = System.nanoTime();
      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class,
              () -> stub.consumerGroupLag(ConsumerLagRequest.allTopics("billing")));

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(KafkaActivitiesImpl.UNAVAILABLE);
      assertThat(cause.isNonRetryable()).isFalse();
    } finally {
      env.close();
    }
  }

  private static void assertFailure(Runnable call, String type, boolean nonRetryable) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("expected an ApplicationFailure of type %s", type).isNotNull();
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
  }

  /** A port on 127.0.0.1 that nothing listens on: bound once, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
