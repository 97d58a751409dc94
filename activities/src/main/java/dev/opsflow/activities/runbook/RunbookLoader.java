package dev.opsflow.activities.runbook;

import com.networknt.schema.InputFormat;
import com.networknt.schema.serialization.NodeReader;
import dev.opsflow.config.HttpAllowList;
import dev.opsflow.contracts.runbook.ActionStep;
import dev.opsflow.contracts.runbook.CheckStep;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookStep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a runbook file and decides whether it may run: YAML (read keeping every value's line), then
 * the language's JSON Schema ({@code runbooks/schema/runbook.schema.json}), then the rules the
 * schema cannot express ({@link RunbookRules}). A runbook with a problem is never started; each
 * problem names the file, the line, the step and the field.
 *
 * <p>The rules run only on a runbook that has the schema's shape, so a file with schema errors
 * reports those first; fixing them may reveal more.
 *
 * <p>Lives in activities, not in the CLI, because the worker and the starter both load runbooks
 * (the server validates its folder at start) and the interpreter uses the same {@link
 * dev.opsflow.contracts.runbook.RunbookCatalog}; it reads no network and starts nothing.
 */
public final class RunbookLoader {
  // Duplicate keys are refused: in YAML the second silently wins, which hides a mistake.
  private static final NodeReader READER =
      NodeReader.builder()
          .yamlMapper(
              YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .locationAware()
          .build();

  private static final JsonMapper BINDER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

  private RunbookLoader() {}

  /** Reads and validates {@code file}; problems name it as given. */
  public static RunbookValidation read(Path file) {
    String source = file.toString();
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return refused(source, 1, "no such file");
    } catch (IOException e) {
      return refused(source, 1, "cannot be read: " + e.getMessage());
    }
    return read(source, content);
  }

  /** Validates {@code content}, read from {@code source} (a file name, for the problems). */
  public static RunbookValidation read(String source, String content) {
    JsonNode root;
    try {
      root = READER.readTree(content, InputFormat.YAML);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
      return refused(source, line, "not valid YAML: " + yamlProblem(e.getOriginalMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return refused(source, 1, "is empty: a runbook is a mapping with id, name, steps, ...");
    }
    SourceTree tree = new SourceTree(source, root);
    List<RunbookProblem> problems = RunbookSchema.problems(tree);
    if (!problems.isEmpty()) {
      return new RunbookValidation(source, problems, null);
    }
    RunbookDefinition definition = BINDER.treeToValue(root, RunbookDefinition.class);
    problems = RunbookRules.problems(definition, tree);
    if (!problems.isEmpty()) {
      return new RunbookValidation(source, problems, null);
    }
    return new RunbookValidation(
        source, List.of(), new PinnedRunbook(source, sha256(content), content, definition));
  }

  /** The HTTP operations whose {@code url} {@code runbooks.httpAllow} governs. */
  private static final java.util.Set<String> HTTP_OPERATIONS =
      java.util.Set.of("http.probe", "http.call");

  /**
   * The literal URLs of {@code runbook}'s {@code http.probe} and {@code http.call} steps that
   * {@code allow} refuses, each as a problem on the step's {@code parameters.url}. A URL with a
   * template is checked when the step runs, where its value is known.
   */
  public static List<RunbookProblem> urlProblems(PinnedRunbook runbook, HttpAllowList allow) {
    if (allow.allowsAll()) {
      return List.of();
    }
    List<RunbookProblem> problems = new java.util.ArrayList<>();
    SourceTree tree = null;
    List<RunbookStep> steps = runbook.definition().steps();
    for (int i = 0; i < steps.size(); i++) {
      String operation;
      Object url;
      if (steps.get(i) instanceof CheckStep check) {
        operation = check.probe();
        url = check.parameters().get("url");
      } else if (steps.get(i) instanceof ActionStep action) {
        operation = action.action();
        url = action.parameters().get("url");
      } else {
        continue;
      }
      if (!HTTP_OPERATIONS.contains(operation)
          || !(url instanceof String literal)
          || literal.contains("{{")) {
        continue;
      }
      java.util.Optional<String> refused = allow.refusal(literal);
      if (refused.isPresent()) {
        if (tree == null) {
          tree =
              new SourceTree(
                  runbook.source(), READER.readTree(runbook.content(), InputFormat.YAML));
        }
        problems.add(tree.stepProblem(i, "parameters.url", operation + ": " + refused.get()));
      }
    }
    return problems;
  }

  /**
   * SnakeYAML's message without its excerpt of the file ("in reader, line 2, column 7:", the line,
   * a caret): the problem names the line already.
   */
  static String yamlProblem(String message) {
    return message
        .lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
        .map(String::strip)
        .reduce((a, b) -> a + ": " + b)
        .orElse(message);
  }

  private static RunbookValidation refused(String source, int line, String message) {
    return new RunbookValidation(
        source,
        List.of(new RunbookProblem(source, line, RunbookProblem.RUNBOOK, "-", message)),
        null);
  }

  static String sha256(String content) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
