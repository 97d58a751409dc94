package dev.opsflow.contracts.remediation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a remediation acts on: one record per kind of thing the procedures fix, so a procedure's
 * input has exactly the fields it uses. {@link WorkloadTarget} (crash loop, OOM, disk pressure),
 * {@link ConsumerGroupTarget} (Kafka lag), {@link DatabaseTarget} (PostgreSQL connections).
 *
 * <p>On the wire a target is a flat JSON object of its fields (what a tctl user types); which
 * record it becomes is decided by the procedure ({@link #of}), never guessed from the fields.
 */
public sealed interface Target permits WorkloadTarget, ConsumerGroupTarget, DatabaseTarget {
  /** Kubernetes namespace; empty for a target outside Kubernetes. */
  String namespace();

  /** The Deployment acted on; empty for a target outside Kubernetes. */
  String deployment();

  /** The non-empty parts that identify the target, in key order. */
  List<String> keyParts();

  /** Every field by name, in the order of the record (empty ones included). */
  Map<String, String> fields();

  /** The field names this kind of target has, in the order of its record. */
  static List<String> fieldsOf(String procedure) {
    return switch (kindOf(procedure)) {
      case CONSUMER_GROUP -> ConsumerGroupTarget.FIELDS;
      case DATABASE -> DatabaseTarget.FIELDS;
      case WORKLOAD -> WorkloadTarget.FIELDS;
    };
  }

  /**
   * The target of {@code procedure} built from named fields (keys as in the records; missing or
   * null = empty; fields the procedure's target does not have are not read: the doors refuse them
   * with {@link #unusedFields}). Never throws, because it also runs when a history is replayed.
   */
  static Target of(String procedure, Map<String, String> fields) {
    Map<String, String> f = fields == null ? Map.of() : fields;
    return switch (kindOf(procedure)) {
      case CONSUMER_GROUP ->
          new ConsumerGroupTarget(
              f.get("namespace"), f.get("deployment"), f.get("consumerGroup"), f.get("topic"));
      case DATABASE -> new DatabaseTarget(f.get("database"));
      case WORKLOAD ->
          new WorkloadTarget(
              f.get("namespace"), f.get("deployment"), f.get("container"), f.get("podSelector"));
    };
  }

  /** Fields set in {@code fields} that the procedure's target does not have, sorted. */
  static List<String> unusedFields(String procedure, Map<String, String> fields) {
    List<String> known = fieldsOf(procedure);
    return fields.entrySet().stream()
        .filter(e -> e.getValue() != null && !e.getValue().isBlank())
        .map(Map.Entry::getKey)
        .filter(k -> !known.contains(k))
        .sorted()
        .toList();
  }

  /**
   * A stable, readable key for workflow IDs: the same problem on the same target always gets the
   * same key, e.g. {@code demo/orders-consumer/orders-group}.
   */
  default String key() {
    return String.join("/", keyParts());
  }

  /**
   * Like {@link #key()}, with each part encoded ({@code %} as {@code %25}, {@code /} as {@code
   * %2F}, control characters as {@code %XX}), so the key of one target is never the key of another.
   * Valid Kubernetes, Kafka and PostgreSQL names need no encoding, so their keys read the same.
   */
  default String encodedKey() {
    return keyParts().stream().map(Target::encode).collect(Collectors.joining("/"));
  }

  private static String encode(String part) {
    StringBuilder out = new StringBuilder(part.length());
    for (char c : part.toCharArray()) {
      if (c == '%' || c == '/' || c < 0x20 || c == 0x7f) {
        String hex = Integer.toHexString(c).toUpperCase(Locale.ROOT);
        out.append('%').append(hex.length() < 2 ? "0" + hex : hex);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Trimmed, never null: an absent field is empty. */
  static String orEmpty(String s) {
    return s == null ? "" : s.trim();
  }

  /** The fields by name, in order: {@code names} and {@code values} pair up. */
  static Map<String, String> named(List<String> names, String... values) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      fields.put(names.get(i), values[i]);
    }
    return java.util.Collections.unmodifiableMap(fields);
  }

  /** The non-empty values, in order. */
  static List<String> present(String... parts) {
    return java.util.Arrays.stream(parts).filter(s -> !s.isEmpty()).toList();
  }

  private static Kind kindOf(String procedure) {
    return switch (procedure == null ? "" : procedure) {
      case "KafkaLagRemediation" -> Kind.CONSUMER_GROUP;
      case "PostgresConnectionRemediation" -> Kind.DATABASE;
      // Crash loop, OOM, disk pressure, and an unknown procedure (refused by validation, which
      // needs a target to name the problem).
      default -> Kind.WORKLOAD;
    };
  }

  /** Which record a procedure's target is. */
  enum Kind {
    WORKLOAD,
    CONSUMER_GROUP,
    DATABASE
  }
}
