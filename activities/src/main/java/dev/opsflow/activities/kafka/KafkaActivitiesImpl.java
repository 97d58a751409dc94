package dev.opsflow.activities.kafka;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KafkaActivities} with one shared, thread-safe {@link Admin} client. Close it when the
 * worker shuts down.
 */
public final class KafkaActivitiesImpl implements KafkaActivities, AutoCloseable {
  /** Retryable failure type: the cluster could not be reached or did not answer in time. */
  public static final String UNAVAILABLE = "KafkaUnavailable";

  /** Retryable failure type: any other Kafka error. */
  public static final String KAFKA_ERROR = "KafkaError";

  /**
   * AdminClient {@code default.api.timeout.ms}: short, so that a dead broker fails the attempt
   * quickly and the activity's retry policy, which the workflow can see, takes over.
   */
  public static final Duration DEFAULT_API_TIMEOUT = Duration.ofSeconds(15);

  /** AdminClient {@code request.timeout.ms}: one request to one broker. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(KafkaActivitiesImpl.class);

  private final java.util.function.Supplier<Admin> adminFactory;
  private Admin admin;
  private final Duration apiTimeout;

  /**
   * @param admin the client every call uses; this object closes it in {@link #close()}
   * @param apiTimeout the client's {@code default.api.timeout.ms}; waits on its results are bounded
   *     by it plus a margin, in case a call never completes
   */
  public KafkaActivitiesImpl(Admin admin, Duration apiTimeout) {
    this(() -> admin, apiTimeout);
  }

  /**
   * The AdminClient is created on first use: a worker that never remediates Kafka (or a dev stack
   * without Kafka) does not keep reconnecting to a broker that is not there.
   */
  private KafkaActivitiesImpl(
      java.util.function.Supplier<Admin> adminFactory, Duration apiTimeout) {
    this.adminFactory = adminFactory;
    this.apiTimeout = apiTimeout;
  }

  public static KafkaActivitiesImpl fromConfig(OpsflowConfig config) {
    String servers = config.kafka().bootstrapServers();
    return new KafkaActivitiesImpl(
        () -> createAdmin(servers, DEFAULT_API_TIMEOUT), DEFAULT_API_TIMEOUT);
  }

  /**
   * An AdminClient for {@code bootstrapServers} whose calls give up after {@code apiTimeout}
   * (request timeout at most {@link #REQUEST_TIMEOUT}).
   */
  public static Admin createAdmin(String bootstrapServers, Duration apiTimeout) {
    Duration requestTimeout =
        apiTimeout.compareTo(REQUEST_TIMEOUT) < 0 ? apiTimeout : REQUEST_TIMEOUT;
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "opsflow-activities");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) apiTimeout.toMillis());
    return Admin.create(props);
  }

  @Override
  public ConsumerLag consumerGroupLag(ConsumerLagRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("consumerGroupLag needs a request with a groupId");
    }
    String groupId = requireGroupId(request.groupId());
    String topicFilter =
        request.topic() == null || request.topic().isBlank()
            ? null
            : checkedName(() -> KafkaNames.topic("topic", request.topic()));

    GroupView group = loadGroup(groupId);
    Set<String> topics = new TreeSet<>();
    if (topicFilter != null) {
      topics.add(topicFilter);
    } else {
      topics.addAll(group.topics());
    }
    Map<String, Integer> partitionCountByTopic = partitionCounts(topics, topicFilter != null);

    List<TopicPartition> measured = new ArrayList<>();
    partitionCountByTopic.forEach(
        (topic, count) -> {
          for (int p = 0; p < count; p++) {
            measured.add(new TopicPartition(topic, p));
          }
        });
    Map<TopicPartition, Long> endOffsets = endOffsets(measured);

    List<PartitionLag> partitions = new ArrayList<>();
    List<PartitionRef> withoutCommit = new ArrayList<>();
    long totalLag = 0;
    for (TopicPartition tp : measured) {
      Long committed = group.committed().get(tp);
      if (committed == null) {
        withoutCommit.add(new PartitionRef(tp.topic(), tp.partition()));
        continue;
      }
      long end = endOffsets.get(tp);
      // A committed offset past the end happens after a topic is recreated; that is no backlog.
      long lag = Math.max(0, end - committed);
      totalLag += lag;
      partitions.add(new PartitionLag(tp.topic(), tp.partition(), committed, end, lag));
    }
    log.info(
        "consumer group {} lag {} over {} partitions ({} without a committed offset)",
        groupId,
        totalLag,
        partitions.size(),
        withoutCommit.size());
    return new ConsumerLag(
        groupId, totalLag, partitions, withoutCommit, Map.copyOf(partitionCountByTopic));
  }

  @Override
  public ConsumerGroupSummary describeConsumerGroup(String groupId) {
    GroupView group = loadGroup(requireGroupId(groupId));
    return new ConsumerGroupSummary(
        group.groupId(), group.state(), group.memberCount(), List.copyOf(group.topics()));
  }

  /** Closes the AdminClient, waiting a few seconds for calls in flight. */
  private synchronized Admin admin() {
    if (admin == null) {
      admin = adminFactory.get();
    }
    return admin;
  }

  @Override
  public void close() {
    Admin created;
    synchronized (this) {
      created = admin;
    }
    if (created != null) {
      created.close(Duration.ofSeconds(5));
    }
  }

  /** A group's description and committed offsets; unknown groups fail with NotFound. */
  private GroupView loadGroup(String groupId) {
    Optional<ConsumerGroupDescription> description = describe(groupId);
    Map<TopicPartition, Long> committed = committedOffsets(groupId);
    GroupState state =
        description.map(ConsumerGroupDescription::groupState).orElse(GroupState.DEAD);
    if (state == GroupState.DEAD && committed.isEmpty()) {
      throw FailureTypes.notFound("consumer group " + groupId + " does not exist");
    }
    Collection<MemberDescription> members =
        description.map(ConsumerGroupDescription::members).orElse(List.of());
    Set<String> topics = new TreeSet<>();
    committed.keySet().forEach(tp -> topics.add(tp.topic()));
    members.forEach(m -> m.assignment().topicPartitions().forEach(tp -> topics.add(tp.topic())));
    return new GroupView(groupId, state.name(), members.size(), topics, committed);
  }

  private Optional<ConsumerGroupDescription> describe(String groupId) {
    try {
      return Optional.of(
          await(admin().describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)));
    } catch (KafkaCallException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Optional.empty();
      }
      throw classify(e.getCause(), "describing consumer group " + groupId);
    }
  }

  private Map<TopicPartition, Long> committedOffsets(String groupId) {
    Map<TopicPartition, OffsetAndMetadata> offsets;
    try {
      offsets = await(admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
    } catch (KafkaCallException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw classify(e.getCause(), "reading committed offsets of consumer group " + groupId);
    }
    Map<TopicPartition, Long> committed = new HashMap<>();
    // Kafka reports a partition without a committed offset as a null entry, not as offset -1.
    offsets.forEach(
        (tp, offset) -> {
          if (offset != null) {
            committed.put(tp, offset.offset());
          }
        });
    return committed;
  }

  /**
   * Partition count per topic, sorted by topic. A requested topic that does not exist is NotFound;
   * a topic the group merely has old offsets for is skipped, since it was deleted.
   */
  private Map<String, Integer> partitionCounts(Set<String> topics, boolean requested) {
    Map<String, Integer> counts = new TreeMap<>();
    if (topics.isEmpty()) {
      return counts;
    }
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin().describeTopics(topics).topicNameValues();
    for (String topic : topics) {
      try {
        counts.put(topic, await(futures.get(topic)).partitions().size());
      } catch (KafkaCallException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException && !requested) {
          log.warn("topic {} has committed offsets but no longer exists; skipped", topic);
          continue;
        }
        throw classify(e.getCause(), "describing topic " + topic);
      }
    }
    return counts;
  }

  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> result;
    try {
      result = await(admin().listOffsets(request).all());
    } catch (KafkaCallException e) {
      throw classify(e.getCause(), "reading end offsets of " + partitions.size() + " partitions");
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    result.forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  private static String requireGroupId(String groupId) {
    if (groupId == null || groupId.isBlank()) {
      throw FailureTypes.invalidInput("groupId is required");
    }
    // Checked as sent: trim() would quietly drop a trailing NUL or CR/LF.
    checkedName(() -> KafkaNames.consumerGroup("groupId", groupId));
    return groupId.trim();
  }

  /** Runs a name check; a refusal becomes {@code InvalidName} before the broker is asked. */
  private static String checkedName(java.util.function.Supplier<String> check) {
    try {
      return check.get();
    } catch (InvalidNameException e) {
      throw FailureTypes.invalidName(e);
    }
  }

  /**
   * Maps a Kafka error to the failure type the retry policy acts on: refusals and missing targets
   * are final, everything else (unreachable broker, timeouts, leader changes) may pass.
   */
  static ApplicationFailure classify(Throwable error, String doing) {
    String reason =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    String message = doing + " failed: " + reason;
    if (error instanceof InvalidGroupIdException) {
      return FailureTypes.invalidInput(message);
    }
    if (error instanceof GroupIdNotFoundException
        || error instanceof UnknownTopicOrPartitionException) {
      return FailureTypes.notFound(message);
    }
    if (error instanceof AuthorizationException || error instanceof AuthenticationException) {
      return FailureTypes.permissionDenied(message);
    }
    if (error instanceof RetriableException) {
      return FailureTypes.retryable(message, UNAVAILABLE, error);
    }
    return FailureTypes.retryable(message, KAFKA_ERROR, error);
  }

  /**
   * Waits for an AdminClient result. The client fails its own calls after {@code apiTimeout}; the
   * extra margin only guards against a call that never completes.
   */
  private <T> T await(KafkaFuture<T> future) {
    Duration bound = apiTimeout.plusSeconds(5);
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaCallException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable("interrupted while waiting for Kafka", UNAVAILABLE, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw FailureTypes.retryable(
          "Kafka did not answer within " + bound.toSeconds() + " s", UNAVAILABLE, e);
    }
  }

  /** Carries a failed AdminClient call's cause to the caller that knows what it was doing. */
  private static final class KafkaCallException extends RuntimeException {
    KafkaCallException(Throwable cause) {
      super(cause);
    }
  }

  private record GroupView(
      String groupId,
      String state,
      int memberCount,
      Set<String> topics,
      Map<TopicPartition, Long> committed) {}
}
