package dev.opsflow.activities.dispatch;

import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.activities.kafka.KafkaNames;
import dev.opsflow.activities.kubernetes.KubernetesNames;
import dev.opsflow.activities.postgres.PostgresNames;
import dev.opsflow.contracts.remediation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which name rule each field of a {@link Target} obeys: the one table the doors (alert routing,
 * operator starts) check a target against before any workflow ID is made. The activities check the
 * same names again where they act.
 */
public final class TargetNames {
  private TargetNames() {}

  /**
   * The value checked as the name it is, in the form that was checked (a label selector comes back
   * in its canonical spelling). Empty stays empty: whether a procedure needs the field is its own
   * check.
   *
   * @throws InvalidNameException naming {@code target.<field>} when the value is not such a name,
   *     or the field is not a target field
   */
  public static String checked(String field, String value) {
    if (value.isEmpty()) {
      return value;
    }
    String at = "target." + field;
    return switch (field) {
      case "namespace" -> KubernetesNames.namespace(at, value);
      case "deployment" -> KubernetesNames.deployment(at, value);
      case "container" -> KubernetesNames.container(at, value);
      case "podSelector" -> KubernetesNames.labelSelector(at, value);
      case "consumerGroup" -> KafkaNames.consumerGroup(at, value);
      case "topic" -> KafkaNames.topic(at, value);
      case "database" -> PostgresNames.database(at, value);
      default -> throw new InvalidNameException(at, value, "not a target field");
    };
  }

  /** Every field of {@code target} that is not the name it must be, as "target.field: why". */
  public static List<String> problems(Target target) {
    List<String> problems = new ArrayList<>();
    target.fields().forEach((field, value) -> check(problems, field, value));
    return problems;
  }

  private static void check(List<String> problems, String field, String value) {
    try {
      checked(field, value);
    } catch (InvalidNameException e) {
      // The message starts with the field and shows the value escaped ("target.deployment '..'").
      String at = "target." + field;
      problems.add(e.getMessage().replaceFirst("^" + Pattern.quote(at), at + ":"));
    }
  }
}
