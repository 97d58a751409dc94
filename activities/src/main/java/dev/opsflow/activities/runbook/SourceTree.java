package dev.opsflow.activities.runbook;

import com.networknt.schema.utils.JsonNodes;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;

/**
 * A runbook's YAML as a tree whose nodes remember their line, so that every problem, found by the
 * schema or by a rule, names the line to fix.
 */
final class SourceTree {
  private final String file;
  private final JsonNode root;

  SourceTree(String file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  JsonNode root() {
    return root;
  }

  /**
   * The line of the deepest node on {@code path} (names and list indexes) that exists: a missing
   * field is reported on the mapping that lacks it.
   */
  int line(List<Object> path) {
    JsonNode node = root;
    int line = lineOf(root);
    for (Object element : path) {
      JsonNode child = element instanceof Integer i ? node.get(i) : node.get(element.toString());
      if (child == null || child.isMissingNode()) {
        break;
      }
      node = child;
      int childLine = lineOf(child);
      if (childLine > 0) {
        line = childLine;
      }
    }
    return Math.max(line, 1);
  }

  /** The step at {@code index} as a problem names it: its id, or {@code steps[N]} without one. */
  String stepName(int index) {
    JsonNode id = root.path("steps").path(index).path("id");
    return id.isString() && !id.asString().isBlank() ? id.asString() : "steps[" + index + "]";
  }

  /**
   * A problem at {@code path}: under {@code steps[N]} it is that step's, with the rest as its
   * field; elsewhere it is the runbook's.
   */
  RunbookProblem problem(List<Object> path, String message) {
    int line = line(path);
    if (path.size() >= 2 && "steps".equals(path.get(0)) && path.get(1) instanceof Integer index) {
      List<Object> rest = path.subList(2, path.size());
      return new RunbookProblem(
          file, line, stepName(index), rest.isEmpty() ? "-" : fieldName(rest), message);
    }
    return new RunbookProblem(
        file, line, RunbookProblem.RUNBOOK, path.isEmpty() ? "-" : fieldName(path), message);
  }

  /** A problem on a field of the step at {@code stepIndex}; {@code field} as {@link #fieldName}. */
  RunbookProblem stepProblem(int stepIndex, String field, String message) {
    List<Object> path = new ArrayList<>(List.of("steps", stepIndex));
    path.addAll(parseField(field));
    return problem(path, message);
  }

  /** {@code branches[0].next} from ["branches", 0, "next"]. */
  static String fieldName(List<Object> path) {
    StringBuilder name = new StringBuilder();
    for (Object element : path) {
      if (element instanceof Integer i) {
        name.append('[').append(i).append(']');
      } else {
        if (!name.isEmpty()) {
          name.append('.');
        }
        name.append(element);
      }
    }
    return name.toString();
  }

  /** ["branches", 0, "next"] from {@code branches[0].next}; the inverse of {@link #fieldName}. */
  static List<Object> parseField(String field) {
    List<Object> path = new ArrayList<>();
    for (String part : field.split("\\.")) {
      int bracket = part.indexOf('[');
      if (bracket < 0) {
        path.add(part);
        continue;
      }
      if (bracket > 0) {
        path.add(part.substring(0, bracket));
      }
      for (String index : part.substring(bracket + 1).split("\\]\\[?")) {
        if (!index.isEmpty()) {
          path.add(Integer.parseInt(index));
        }
      }
    }
    return path;
  }

  private static int lineOf(JsonNode node) {
    TokenStreamLocation location = JsonNodes.tokenStreamLocationOf(node);
    return location == null ? -1 : location.getLineNr();
  }
}
