package dev.opsflow.starter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a runbook reads from its input ({@code context}), found in its steps' expressions and
 * templates: {@code input.NAME} (or {@code input["NAME"]}). A name read without a {@code
 * has(input.NAME)} guard anywhere in the runbook, and that is not a declared variable (which has a
 * default), is <em>required</em>: a run without it would fail at the first step that reads it, so
 * the door refuses the request instead.
 *
 * @param read every input name the steps read, in name order
 * @param required the names a request must give, in name order (so a refusal names the same missing
 *     input on every JVM)
 */
public record RunbookInputs(Set<String> read, Set<String> required) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern READ =
      Pattern.compile(
          "(?<![\\w.])input(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\[\\s*[\"']([^\"']+)[\"']\\s*\\])");
  private static final Pattern GUARD =
      Pattern.compile(
          "\\bhas\\(\\s*input(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\[\\s*[\"']([^\"']+)[\"']\\s*\\])"
              + "\\s*\\)");
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);

  /** The step fields that are CEL expressions whole; every other string is text or a template. */
  private static final Set<String> EXPRESSIONS = Set.of("condition", "when", "over", "while");

  /** What a runbook's content always gives, by its SHA-256: the folder is read once, at start. */
  private static final java.util.concurrent.ConcurrentMap<String, RunbookInputs> BY_CONTENT =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The inputs of a loaded runbook, worked out once per content rather than on every request or
   * alert that asks for a run of it.
   */
  public static RunbookInputs of(dev.opsflow.contracts.runbook.PinnedRunbook runbook) {
    return BY_CONTENT.computeIfAbsent(runbook.sha256(), sha -> of(runbook.definition()));
  }

  public static RunbookInputs of(RunbookDefinition definition) {
    SortedSet<String> read = new TreeSet<>();
    SortedSet<String> guarded = new TreeSet<>();
    walk(
        JSON.valueToTree(definition.steps()),
        null,
        text -> {
          collect(READ.matcher(text), read);
          collect(GUARD.matcher(text), guarded);
        });
    SortedSet<String> required = new TreeSet<>(read);
    required.removeAll(guarded);
    required.removeAll(definition.variables().keySet());
    return new RunbookInputs(
        Collections.unmodifiableSortedSet(read), Collections.unmodifiableSortedSet(required));
  }

  private static void collect(Matcher m, Set<String> into) {
    while (m.find()) {
      into.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
  }

  /**
   * Every expression in the steps: the expression fields whole, and the {@code {{ ... }}} parts of
   * every other string (a step id or a prose {@code description} is not read by any expression).
   */
  private static void walk(JsonNode node, String field, java.util.function.Consumer<String> visit) {
    if (node.isTextual()) {
      if (EXPRESSIONS.contains(field)) {
        visit.accept(node.asText());
      } else {
        Matcher part = TEMPLATE.matcher(node.asText());
        while (part.find()) {
          visit.accept(part.group(1));
        }
      }
    } else if (node.isArray()) {
      node.forEach(child -> walk(child, field, visit));
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> child = it.next();
        if (!child.getKey().equals("description")) {
          walk(child.getValue(), child.getKey(), visit);
        }
      }
    }
  }
}
