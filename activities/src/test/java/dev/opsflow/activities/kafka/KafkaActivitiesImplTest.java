package dev.opsflow.activities.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class KafkaActivitiesImplTest {

  @Test
  void refusedAclsAndCredentialsArePermissionDeniedAndFinal() {
    assertClassified(
        new GroupAuthorizationException("Not authorized to access group: billing"),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertClassified(
        new TopicAuthorizationException("Not authorized to access topics: [orders]"),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertClassified(
        new ClusterAuthorizationException("Cluster authorization failed."),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertClassified(
        new SaslAuthenticationException("Authentication failed: Invalid username or password"),
        FailureTypes.PERMISSION_DENIED,
        true);
  }

  @Test
  void missingGroupsAndTopicsAreNotFoundAndFinal() {
    assertClassified(
        new GroupIdNotFoundException("The group id does not exist."), FailureTypes.NOT_FOUND, true);
    assertClassified(
        new UnknownTopicOrPartitionException("This server does not host this topic-partition."),
        FailureTypes.NOT_FOUND,
        true);
  }

  @Test
  void invalidGroupIdIsInvalidInput() {
    assertClassified(
        new InvalidGroupIdException("The configured groupId is invalid"),
        FailureTypes.INVALID_INPUT,
        true);
  }

  @Test
  void timeoutsAndLostConnectionsAreRetryable() {
    assertClassified(
        new TimeoutException("Timed out waiting for a node assignment."),
        KafkaActivitiesImpl.UNAVAILABLE,
        false);
    assertClassified(
        new DisconnectException("Cancelled fetchMetadata request"),
        KafkaActivitiesImpl.UNAVAILABLE,
        false);
    assertClassified(
        new NotCoordinatorException("This is not the correct coordinator."),
        KafkaActivitiesImpl.UNAVAILABLE,
        false);
  }

  @Test
  void otherBrokerErrorsAreRetryable() {
    assertClassified(
        new UnknownServerException("The server experienced an unexpected error"),
        KafkaActivitiesImpl.KAFKA_ERROR,
        false);
  }

  @Test
  void missingRequestOrGroupIdIsRejectedWithoutCallingKafka() {
    // Nothing listens on port 1; a call that reached the client would fail with KafkaUnavailable.
    Duration timeout = Duration.ofSeconds(1);
    try (KafkaActivitiesImpl activities =
        new KafkaActivitiesImpl(KafkaActivitiesImpl.createAdmin("127.0.0.1:1", timeout), timeout)) {
      for (Runnable call :
          new Runnable[] {
            () -> activities.consumerGroupLag(null),
            () -> activities.consumerGroupLag(new ConsumerLagRequest("", "orders")),
            () -> activities.describeConsumerGroup(null)
          }) {
        ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
        assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
        assertThat(failure.isNonRetryable()).isTrue();
      }
    }
  }

  @Test
  void illegalGroupIdsAndTopicsAreRefusedAsInvalidNameWithoutCallingKafka() {
    // Nothing listens on port 1; a call that reached the client would fail with KafkaUnavailable.
    Duration timeout = Duration.ofSeconds(1);
    try (KafkaActivitiesImpl activities =
        new KafkaActivitiesImpl(KafkaActivitiesImpl.createAdmin("127.0.0.1:1", timeout), timeout)) {
      Map<String, Runnable> calls = new LinkedHashMap<>();
      calls.put("groupId", () -> activities.describeConsumerGroup("orders\r\nINFO forged"));
      calls.put("groupId ", () -> activities.describeConsumerGroup("g".repeat(256)));
      calls.put("groupId  ", () -> activities.describeConsumerGroup("orders\u0000"));
      calls.put(
          "topic", () -> activities.consumerGroupLag(new ConsumerLagRequest("orders", "../x")));
      calls.put(
          "topic  ",
          () -> activities.consumerGroupLag(new ConsumerLagRequest("orders", "orders\n")));
      calls.put(
          "topic ",
          () -> activities.consumerGroupLag(new ConsumerLagRequest("orders", "t".repeat(250))));
      calls.forEach(
          (field, call) -> {
            ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
            assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_NAME);
            assertThat(failure.isNonRetryable()).isTrue();
            assertThat(failure.getOriginalMessage()).startsWith(field.strip() + " '");
          });
    }
  }

  @Test
  void readOptionsNeverRetryFinalFailures() {
    assertThat(KafkaOptions.READ_KAFKA.getRetryOptions().getDoNotRetry())
        .containsExactlyInAnyOrderElementsOf(FailureTypes.NON_RETRYABLE);
    assertThat(KafkaOptions.READ_KAFKA.getStartToCloseTimeout())
        .isGreaterThan(KafkaActivitiesImpl.DEFAULT_API_TIMEOUT);
  }

  private static void assertClassified(Throwable error, String type, boolean nonRetryable) {
    ApplicationFailure failure = KafkaActivitiesImpl.classify(error, "describing consumer group x");
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    assertThat(failure.getOriginalMessage()).startsWith("describing consumer group x failed: ");
  }
}
