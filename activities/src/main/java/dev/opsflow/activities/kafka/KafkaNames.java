package dev.opsflow.activities.kafka;

import dev.opsflow.activities.InvalidNameException;
import java.util.regex.Pattern;

/**
 * What a Kafka topic or consumer group id may be, checked before it reaches the broker. Topics
 * follow Kafka's own rule (1-249 of {@code [a-zA-Z0-9._-]}, not "." or ".."); Kafka allows almost
 * any group id, so opsflow bounds its length and refuses control characters, which have no place in
 * a name and would forge log lines. JDK only.
 */
public final class KafkaNames {
  /** Kafka's limit on topic names (the partition directory name must stay under 255). */
  public static final int MAX_TOPIC = 249;

  /** Longest consumer group id opsflow accepts. */
  public static final int MAX_GROUP = 255;

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");

  private KafkaNames() {}

  /** A topic name as Kafka defines it. */
  public static String topic(String field, String value) {
    if (value == null
        || value.length() > MAX_TOPIC
        || !TOPIC.matcher(value).matches()
        || value.equals(".")
        || value.equals("..")) {
      throw new InvalidNameException(
          field,
          value,
          "a Kafka topic is 1-" + MAX_TOPIC + " letters, digits, '.', '_' or '-' (not . or ..)");
    }
    return value;
  }

  /** A consumer group id: 1-255 characters, none of them a control character. */
  public static String consumerGroup(String field, String value) {
    if (value == null
        || value.isEmpty()
        || value.length() > MAX_GROUP
        || value.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidNameException(
          field,
          value,
          "a consumer group id is 1-" + MAX_GROUP + " characters without control characters");
    }
    return value;
  }
}
