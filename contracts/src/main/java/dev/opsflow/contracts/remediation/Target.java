package dev.opsflow.contracts.remediation;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a remediation acts on. Only the fields its procedure needs are set; the rest are empty.
 *
 * @param namespace Kubernetes namespace
 * @param deployment Deployment to scale, restart or resize
 * @param container container within the Deployment (empty = the first one)
 * @param consumerGroup Kafka consumer group
 * @param topic Kafka topic (empty = every topic of the group)
 * @param database PostgreSQL database name (empty = all)
 * @param podSelector label selector of the pods to act in (empty = app=&lt;deployment&gt;)
 */
public record Target(
    String namespace,
    String deployment,
    String container,
    String consumerGroup,
    String topic,
    String database,
    String podSelector) {
  public Target {
    namespace = orEmpty(namespace);
    deployment = orEmpty(deployment);
    container = orEmpty(container);
    consumerGroup = orEmpty(consumerGroup);
    topic = orEmpty(topic);
    database = orEmpty(database);
    podSelector = orEmpty(podSelector);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s.trim();
  }

  /** Builds a target from a routing rule's resolved fields (keys as in the record). */
  public static Target of(Map<String, String> fields) {
    return new Target(
        fields.get("namespace"),
        fields.get("deployment"),
        fields.get("container"),
        fields.get("consumerGroup"),
        fields.get("topic"),
        fields.get("database"),
        fields.get("podSelector"));
  }

  /** The label selector of the target's pods. */
  public String effectivePodSelector() {
    return podSelector.isEmpty() ? "app=" + deployment : podSelector;
  }

  /**
   * A stable, readable key for workflow IDs: the same problem on the same target always gets the
   * same key, e.g. {@code demo/orders-consumer/orders-group}.
   */
  public String key() {
    return join(false);
  }

  /**
   * Like {@link #key()}, with each part encoded ({@code %} as {@code %25}, {@code /} as {@code
   * %2F}, control characters as {@code %XX}), so the key of one target is never the key of another.
   * Valid Kubernetes, Kafka and PostgreSQL names need no encoding, so their keys read the same.
   */
  public String encodedKey() {
    return join(true);
  }

  private String join(boolean encoded) {
    return Stream.of(namespace, deployment, container, consumerGroup, topic, database)
        .filter(s -> !s.isEmpty())
        .map(s -> encoded ? encode(s) : s)
        .collect(Collectors.joining("/"));
  }

  private static String encode(String part) {
    StringBuilder out = new StringBuilder(part.length());
    for (char c : part.toCharArray()) {
      if (c == '%' || c == '/' || c < 0x20 || c == 0x7f) {
        String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
        out.append('%').append(hex.length() < 2 ? "0" + hex : hex);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
