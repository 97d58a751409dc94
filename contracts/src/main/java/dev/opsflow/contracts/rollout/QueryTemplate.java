package dev.opsflow.contracts.rollout;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PromQL query with placeholders ({@code {{namespace}}}, {@code {{service}}}, {@code {{canary}}},
 * {@code {{stable}}}) that stand for the names of the rollout's objects.
 *
 * <p>A placeholder may only stand inside a double-quoted label value, e.g. {@code
 * deployment="{{canary}}"} or {@code pod=~"{{canary}}-.*"}: there its value is escaped as a PromQL
 * string (and, after {@code =~} or {@code !~}, as a literal inside the regular expression), so a
 * name can never end the string and add a selector or an operator of its own. Anywhere else
 * (outside quotes, inside single quotes or backticks, whose raw strings cannot escape) it is
 * refused.
 */
public final class QueryTemplate {
  /** The placeholders a query may use, named for the values {@link AnalysisSubject} gives them. */
  public static final Set<String> PLACEHOLDERS = Set.of("namespace", "service", "canary", "stable");

  private static final String RE2_SPECIAL = "\\.+*?()|[]{}^$";

  private QueryTemplate() {}

  /** One placeholder as it stands in a query. */
  private record Use(String name, int start, int end, boolean inRegex, String problem) {}

  /**
   * What is wrong with {@code query} as a template, one sentence per problem; empty when it is
   * usable.
   */
  public static List<String> problems(String query) {
    List<String> problems = new ArrayList<>();
    if (query == null || query.isBlank()) {
      problems.add("is required: a PromQL query");
      return problems;
    }
    for (Use use : scan(query)) {
      if (use.problem() != null) {
        problems.add(use.problem());
      }
    }
    return problems;
  }

  /** The placeholders {@code query} uses, in the order they first appear. */
  public static Set<String> placeholders(String query) {
    Set<String> names = new LinkedHashSet<>();
    for (Use use : scan(query)) {
      names.add(use.name());
    }
    return names;
  }

  /**
   * The query with every placeholder replaced by its escaped value.
   *
   * @param values the value of each placeholder the query uses
   * @throws IllegalArgumentException if the query has {@linkplain #problems problems} or a value is
   *     missing
   */
  public static String render(String query, Map<String, String> values) {
    List<String> problems = problems(query);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("query " + String.join("; ", problems));
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (Use use : scan(query)) {
      String value = values.get(use.name());
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(
            "query uses {{" + use.name() + "}} but no " + use.name() + " was given");
      }
      out.append(query, from, use.start());
      out.append(escapeString(use.inRegex() ? escapeRegex(value) : value));
      from = use.end();
    }
    return out.append(query.substring(from)).toString();
  }

  /** Escapes a value for a double-quoted PromQL string (Go's string literal rules). */
  static String escapeString(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Makes a value match itself literally in an RE2 regular expression. */
  static String escapeRegex(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      if (RE2_SPECIAL.indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Finds every {@code {{name}}} with where it stands. Strings are tracked the way PromQL lexes
   * them: double and single quotes with backslash escapes, backticks raw; {@code #} starts a
   * comment outside strings.
   */
  private static List<Use> scan(String query) {
    List<Use> uses = new ArrayList<>();
    char quote = 0; // the delimiter of the string we are in, or 0 outside strings
    boolean regexString = false;
    int i = 0;
    while (i < query.length()) {
      char c = query.charAt(i);
      if (query.startsWith("{{", i)) {
        int close = query.indexOf("}}", i + 2);
        if (close < 0) {
          uses.add(new Use("", i, query.length(), false, "has an unclosed {{ at " + i));
          break;
        }
        String name = query.substring(i + 2, close).trim();
        String problem = null;
        if (!PLACEHOLDERS.contains(name)) {
          problem =
              "uses the unknown placeholder {{"
                  + name
                  + "}}; known are {{namespace}}, {{service}}, {{canary}} and {{stable}}";
        } else if (quote != '"') {
          problem =
              "has {{"
                  + name
                  + "}} outside a double-quoted label value; write it as a matcher value, e.g."
                  + " deployment=\"{{"
                  + name
                  + "}}\", so that it is escaped";
        }
        uses.add(new Use(name, i, close + 2, regexString, problem));
        i = close + 2;
        continue;
      }
      if (quote != 0) {
        if (c == '\\' && quote != '`') {
          i += 2;
          continue;
        }
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        quote = c;
        regexString = followsRegexMatcher(query, i);
      } else if (c == '#') {
        int eol = query.indexOf('\n', i);
        i = eol < 0 ? query.length() : eol;
        continue;
      }
      i++;
    }
    return uses;
  }

  private static boolean followsRegexMatcher(String query, int quoteAt) {
    int j = quoteAt - 1;
    while (j >= 0 && Character.isWhitespace(query.charAt(j))) {
      j--;
    }
    return j >= 1 && query.charAt(j) == '~' && "=!".indexOf(query.charAt(j - 1)) >= 0;
  }
}
