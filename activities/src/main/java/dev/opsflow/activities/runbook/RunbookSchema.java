package dev.opsflow.activities.runbook;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The runbook language's JSON Schema (draft 2020-12), the file checked in at {@code
 * runbooks/schema/runbook.schema.json} and packaged beside this class, applied to a {@link
 * SourceTree}.
 */
final class RunbookSchema {
  /** Where the schema sits on the classpath (copied there from runbooks/schema by the build). */
  static final String RESOURCE = "runbook.schema.json";

  private static final Schema SCHEMA = load();

  private RunbookSchema() {}

  /** The schema's complaints about {@code tree}, each on its line, in document order. */
  static List<RunbookProblem> problems(SourceTree tree) {
    Set<RunbookProblem> problems = new LinkedHashSet<>();
    List<Error> errors = SCHEMA.validate(tree.root());
    for (Error error : errors) {
      if (isSummary(error) || insideOneOf(error)) {
        continue;
      }
      List<Object> path = elements(error.getInstanceLocation());
      if ("oneOf".equals(error.getKeyword()) && isLoop(error)) {
        // both given: point at the second; neither: at the step
        path.add(error.getInstanceNode().has("while") ? "while" : "over");
      }
      // "required" names the missing field on the mapping that lacks it; the unknown-field
      // keywords name the field that should not be there: both belong to that field.
      if (error.getProperty() != null) {
        path.add(error.getProperty());
      }
      problems.add(tree.problem(path, message(error)));
    }
    List<RunbookProblem> sorted = new ArrayList<>(problems);
    sorted.sort(
        java.util.Comparator.comparingInt(RunbookProblem::line)
            .thenComparing(RunbookProblem::field));
    return sorted;
  }

  /**
   * The applicators' own errors ("must be valid to one and only one schema") only repeat what the
   * keyword errors under them say, except for oneOf, whose own error is the only one that says
   * "both" or "neither".
   */
  private static boolean isSummary(Error error) {
    String keyword = error.getKeyword();
    return "allOf".equals(keyword) || "anyOf".equals(keyword) || "if".equals(keyword);
  }

  /**
   * The alternatives' own errors ("over is required", "must not be valid to ...") say less than the
   * oneOf error over them, which is reported instead.
   */
  private static boolean insideOneOf(Error error) {
    return !"oneOf".equals(error.getKeyword())
        && error.getEvaluationPath().toString().contains("oneOf");
  }

  private static boolean isLoop(Error error) {
    return error.getSchemaLocation().toString().contains("/loop");
  }

  private static String message(Error error) {
    String keyword = error.getKeyword();
    if ("required".equals(keyword)) {
      return "is required";
    }
    if ("unevaluatedProperties".equals(keyword) || "additionalProperties".equals(keyword)) {
      return "is not a field here";
    }
    if ("oneOf".equals(keyword) && isLoop(error)) {
      return "a loop needs exactly one of 'over' or 'while'";
    }
    String message = error.getMessage();
    // The library prefixes the instance location ("$.steps[0].timeout: ..."); the problem names
    // the step and field already.
    int colon = message.indexOf(": ");
    if (message.startsWith("$") && colon > 0) {
      message = message.substring(colon + 2);
    }
    return message;
  }

  private static List<Object> elements(NodePath path) {
    List<Object> elements = new ArrayList<>();
    for (int i = 0; i < path.getNameCount(); i++) {
      elements.add(path.getElement(i));
    }
    return elements;
  }

  private static Schema load() {
    try (InputStream in = RunbookSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            RESOURCE + " is not on the classpath: the build copies it from runbooks/schema");
      }
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(in, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
