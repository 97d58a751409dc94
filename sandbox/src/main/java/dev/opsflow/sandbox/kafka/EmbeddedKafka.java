package dev.opsflow.sandbox.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster in KRaft mode (one process acting as broker and controller),
 * started inside this JVM from the Kafka jars. It listens on 127.0.0.1 on free ports, keeps its
 * data in a temporary directory that {@link #close()} deletes, and starts in a few seconds.
 *
 * <p>Used by the integration tests and by {@code opsflow dev --sandbox}, so it has no
 * test-framework dependency. No JVM or system property is needed; Kafka logs through SLF4J, so the
 * host application's SLF4J binding decides how loud the broker is (logger {@code kafka} and {@code
 * org.apache.kafka} at WARN keeps it quiet).
 *
 * <p>The helper methods ({@link #createTopic}, {@link #produce}, {@link #commitOffsets}) build the
 * situations opsflow heals: a consumer group whose consumers have stopped while producers go on.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final int START_ATTEMPTS = 3;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Admin admin;

  private EmbeddedKafka(Path dataDir, KafkaRaftServer server, String bootstrapServers) {
    this.dataDir = dataDir;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.admin = Admin.create(adminProperties(bootstrapServers));
  }

  /**
   * Formats a fresh data directory and starts the broker. Returns once the broker has registered
   * with its controller and accepts requests.
   *
   * @throws IllegalStateException if the broker cannot start (after a few attempts with new ports,
   *     since a free port can be taken by another process between choosing and binding it)
   */
  public static EmbeddedKafka start() {
    return startAdvertising(0, port -> {});
  }

  /**
   * Like {@link #start()}, but the broker tells its clients to reach it at {@code
   * 127.0.0.1:advertisedPort} instead of the port it listens on: a client that bootstraps there
   * connects there for every later request too. A test puts a relay it can cut on that port and
   * forwards it to {@link #brokerPort()}, so "the broker is unreachable" holds for every
   * connection, not only the bootstrap one. The sandbox's own helper client ({@link #createTopic},
   * {@link #commitOffsets}) goes through the advertised port as well.
   *
   * @param advertisedPort 0 to advertise the port the broker listens on
   * @param listening told the port the broker will listen on before it starts (the broker's own
   *     start-up check already goes through the advertised port, so a relay must know it by then)
   */
  public static EmbeddedKafka startAdvertising(int advertisedPort, IntConsumer listening) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Path dataDir = createDataDir();
      try {
        return startIn(dataDir, advertisedPort, listening);
      } catch (RuntimeException e) {
        last = e;
        deleteRecursively(dataDir);
        if (!isBindFailure(e)) {
          break;
        }
        log.warn("Kafka sandbox port was taken, retrying with new ports (attempt {})", attempt);
      }
    }
    throw new IllegalStateException("Kafka sandbox did not start", last);
  }

  private static EmbeddedKafka startIn(Path dataDir, int advertisedPort, IntConsumer listening) {
    int brokerPort = freePort();
    int controllerPort = freePort();
    listening.accept(brokerPort);
    Map<String, String> props =
        brokerProperties(
            dataDir, brokerPort, advertisedPort == 0 ? brokerPort : advertisedPort, controllerPort);
    format(dataDir, props);

    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
    long started = System.nanoTime();
    try {
      server.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw e;
    }
    String bootstrap = "127.0.0.1:" + brokerPort;
    EmbeddedKafka kafka = new EmbeddedKafka(dataDir, server, bootstrap);
    try {
      kafka.await(kafka.admin.describeCluster().nodes());
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    log.info(
        "Kafka sandbox (KRaft, broker+controller) on {} started in {} ms, data in {}",
        bootstrap,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        dataDir);
    return kafka;
  }

  /** {@code host:port} for the {@code bootstrap.servers} setting of clients. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The port the broker listens on (which {@link #startAdvertising} may not advertise). */
  public int brokerPort() {
    return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
  }

  /** The temporary directory holding the broker's data; deleted by {@link #close()}. */
  public Path dataDirectory() {
    return dataDir;
  }

  /**
   * Creates a topic with replication factor 1 and waits until it exists.
   *
   * @throws IllegalStateException if the topic already exists or the broker refuses it
   */
  public void createTopic(String topic, int partitions) {
    await(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all());
    awaitLeaders(topic, partitions);
    log.info("Kafka sandbox: created topic {} with {} partitions", topic, partitions);
  }

  /**
   * Produces {@code records} small records to {@code topic}, record {@code i} to partition {@code i
   * % partitions}, so partition {@code p} ends at offset {@code records / partitions} plus one for
   * the first {@code records % partitions} partitions. Returns once every record is acknowledged.
   */
  public void produce(String topic, int records) {
    int partitions = partitionCount(topic);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerProperties(bootstrapServers))) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, i % partitions, "key-" + i, "event-" + i));
      }
      producer.flush();
    }
    log.info("Kafka sandbox: produced {} records to {}", records, topic);
  }

  /**
   * Commits the same offset on every partition of {@code topic} for {@code groupId}, as a group
   * whose consumers have stopped: the group exists with committed offsets and no active members.
   */
  public void commitOffsets(String groupId, String topic, long perPartitionOffset) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (int p = 0; p < partitionCount(topic); p++) {
      offsets.put(p, perPartitionOffset);
    }
    commitOffsets(groupId, topic, offsets);
  }

  /**
   * Commits the given offsets (partition -> next offset to consume) for {@code groupId}; partitions
   * not in the map get no committed offset. The group ends up with no active members.
   */
  public void commitOffsets(String groupId, String topic, Map<Integer, Long> offsetByPartition) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    offsetByPartition.forEach(
        (partition, offset) ->
            offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
    await(admin.alterConsumerGroupOffsets(groupId, offsets).all());
    log.info("Kafka sandbox: group {} committed {} on {}", groupId, offsetByPartition, topic);
  }

  /**
   * Builds the scenario of a consumer group that fell behind: creates {@code topic} with {@code
   * partitions} partitions, produces {@code produced} records and commits {@code committed} of them
   * for {@code groupId}, spread over the partitions the way {@link #produce} spreads records. Every
   * partition gets a committed offset, so the group's lag is exactly {@code produced - committed}.
   *
   * @return the lag the group now has
   * @throws IllegalArgumentException if {@code committed} is negative or more than {@code produced}
   */
  public long seedLaggingGroup(
      String topic, int partitions, String groupId, int produced, int committed) {
    if (committed < 0 || committed > produced) {
      throw new IllegalArgumentException(
          "committed must be between 0 and produced (" + produced + "), was " + committed);
    }
    createTopic(topic, partitions);
    produce(topic, produced);
    commitOffsets(groupId, topic, spread(committed, partitions));
    return (long) produced - committed;
  }

  /** How {@link #produce} spreads {@code records} records over {@code partitions} partitions. */
  public static Map<Integer, Long> spread(long records, int partitions) {
    Map<Integer, Long> counts = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      counts.put(p, records / partitions + (p < records % partitions ? 1 : 0));
    }
    return counts;
  }

  /** Stops the broker and deletes its data directory. */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
    shutdownQuietly(server);
    deleteRecursively(dataDir);
    log.info("Kafka sandbox on {} stopped", bootstrapServers);
  }

  /**
   * A created topic is not served at once: the broker answers "does not host this topic-partition"
   * until each partition has a leader. Waits for that, so the next produce or describe succeeds.
   */
  private void awaitLeaders(String topic, int partitions) {
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    while (true) {
      try {
        var description =
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        if (description.size() == partitions
            && description.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw new IllegalStateException(
              "Kafka sandbox call failed: " + e.getCause().getMessage(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the Kafka sandbox", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka sandbox: topic " + topic + " has no leader after " + CALL_TIMEOUT);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the Kafka sandbox", e);
      }
    }
  }

  private int partitionCount(String topic) {
    return await(admin.describeTopics(List.of(topic)).allTopicNames())
        .get(topic)
        .partitions()
        .size();
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Kafka sandbox", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka sandbox call failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka sandbox call timed out after " + CALL_TIMEOUT, e);
    }
  }

  private static Map<String, String> brokerProperties(
      Path dataDir, int brokerPort, int advertisedPort, int controllerPort) {
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertisedPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dataDir.resolve("logs").toString());
    // One node: every internal topic must fit on it, and one partition of __consumer_offsets
    // keeps startup and group coordination fast.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("default.replication.factor", "1");
    props.put("auto.create.topics.enable", "false");
    props.put("group.initial.rebalance.delay.ms", "0");
    // Small thread pools and cleaner buffer: the sandbox shares a small machine with its user.
    props.put("num.network.threads", "1");
    props.put("num.io.threads", "2");
    props.put("num.recovery.threads.per.data.dir", "1");
    props.put("background.threads", "2");
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    props.put("log.cleaner.threads", "1");
    return props;
  }

  private static void format(Path dataDir, Map<String, String> props) {
    Path configFile = dataDir.resolve("server.properties");
    Properties properties = new Properties();
    properties.putAll(props);
    try (OutputStream out = Files.newOutputStream(configFile)) {
      properties.store(out, "opsflow Kafka sandbox");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode =
          StorageTool.execute(
              new String[] {
                "format",
                "--config",
                configFile.toString(),
                "--cluster-id",
                Uuid.randomUuid().toString()
              },
              printStream);
    }
    if (exitCode != 0) {
      throw new IllegalStateException(
          "formatting the Kafka sandbox storage failed: "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private static Properties adminProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "opsflow-sandbox");
    return props;
  }

  private static Properties producerProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "opsflow-sandbox-producer");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    // Single node: acks=1 is as durable as acks=all, and no idempotence handshake is needed.
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    return props;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static Path createDataDir() {
    try {
      return Files.createTempDirectory("opsflow-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      // The data directory is deleted next; a failed shutdown must not keep it on disk.
      log.warn("Kafka sandbox shutdown failed: {}", e.toString());
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete Kafka sandbox data in {}: {}", dir, e.toString());
    }
  }
}
