package dev.opsflow.activities.runbook;

import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.opsflow.activities.metrics.AnalysisConditions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Evaluates a runbook's expressions (CEL, compiled as {@link RunbookExpressions} validates them)
 * against a run's context: conditions, loop lists, decisions, and the {@code {{ }}} parts of
 * parameters and messages. Pure: the same expression on the same values gives the same answer, and
 * nothing is read but the values given.
 *
 * <p>Values go in as the JSON a run's context is made of (maps, lists, strings, numbers, booleans,
 * null) and come out the same way: CEL's integers are {@code long}s, so an {@code Integer} read
 * from JSON is widened first, and CEL's answers are turned back into plain JSON values.
 */
public final class RunbookEvaluator {
  /**
   * The SQL of a {@code postgres.query} probe: its {@code {{ }}} parts never become SQL text; each
   * becomes a {@code ?} and its value a bind parameter, listed under {@link #BINDS}.
   */
  public static final String SQL = "sql";

  /** The bind parameters of {@link #SQL}, in order. */
  public static final String BINDS = "binds";

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(AnalysisConditions.OPTIONS).build();

  private RunbookEvaluator() {}

  /** The value of {@code expression}, as JSON. */
  public static Object value(String expression, Map<String, Object> variables) {
    Map<String, Object> vars = celVariables(variables);
    CelCompilerBuilder builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(AnalysisConditions.OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
    for (String name : vars.keySet()) {
      builder.addVar(name, SimpleType.DYN);
    }
    CelCompiler compiler = builder.build();
    CelValidationResult compiled = compiler.compile(expression);
    String shown = "'" + expression.strip() + "'";
    if (compiled.hasError()) {
      throw new IllegalArgumentException(
          shown + " does not compile: " + compiled.getErrors().get(0).getMessage());
    }
    try {
      CelRuntime.Program program = RUNTIME.createProgram(compiled.getAst());
      return json(program.eval(vars));
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(shown + " cannot be evaluated: " + e.getMessage(), e);
    }
  }

  /** Whether {@code condition} holds; anything but true or false is refused. */
  public static boolean holds(String condition, Map<String, Object> variables) {
    Object value = value(condition, variables);
    if (value instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        "'" + condition.strip() + "' yields " + value + ", not true or false");
  }

  /** The list {@code expression} yields (a loop's items). */
  public static List<Object> items(String expression, Map<String, Object> variables) {
    Object value = value(expression, variables);
    if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    throw new IllegalArgumentException(
        "'" + expression.strip() + "' yields " + value + ", not a list");
  }

  /** A message: every {@code {{ expression }}} replaced by its value's text. */
  public static String text(String template, Map<String, Object> variables) {
    if (template == null) {
      return "";
    }
    Matcher m = RunbookExpressions.TEMPLATE_PART.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(show(value(m.group(1), variables))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A step's parameters with every {@code {{ }}} evaluated: a string that is one whole template
   * takes its value's type ({@code "{{ input.replicas + 2 }}"} is a number), a string with parts is
   * text, lists and maps are evaluated inside. The SQL of {@code postgres.query} is bound, never
   * spliced ({@link #SQL}).
   */
  public static Map<String, Object> parameters(
      String operation, Map<String, Object> parameters, Map<String, Object> variables) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> p : parameters.entrySet()) {
      if ("postgres.query".equals(operation) && SQL.equals(p.getKey()) && p.getValue() != null) {
        List<Object> binds = new ArrayList<>();
        Matcher m = RunbookExpressions.TEMPLATE_PART.matcher(p.getValue().toString());
        StringBuilder sql = new StringBuilder();
        while (m.find()) {
          binds.add(value(m.group(1), variables));
          m.appendReplacement(sql, "?");
        }
        m.appendTail(sql);
        out.put(SQL, sql.toString());
        out.put(BINDS, binds);
      } else {
        out.put(p.getKey(), parameter(p.getValue(), variables));
      }
    }
    return out;
  }

  private static Object parameter(Object value, Map<String, Object> variables) {
    if (value instanceof String s) {
      if (RunbookExpressions.isWholeTemplate(s)) {
        Matcher m = RunbookExpressions.TEMPLATE_PART.matcher(s.strip());
        m.matches();
        return value(m.group(1), variables);
      }
      return text(s, variables);
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(parameter(v, variables)));
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), parameter(v, variables)));
      return out;
    }
    return value;
  }

  /** How a value reads inside a message: text as it is, whole numbers without ".0". */
  static String show(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return value.toString();
  }

  private static Map<String, Object> celVariables(Map<String, Object> variables) {
    Map<String, Object> vars = new LinkedHashMap<>();
    variables.forEach((k, v) -> vars.put(k, cel(v)));
    return vars;
  }

  /** A JSON value as CEL reads it: integers as long, decimals as double, null as CEL's null. */
  static Object cel(Object value) {
    if (value == null) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger b) {
      return b.longValue();
    }
    if (value instanceof Float || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), cel(v)));
      return out;
    }
    if (value instanceof Collection<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(cel(v)));
      return out;
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    return value;
  }

  /** CEL's answer as JSON: maps with string keys, lists, and the JSON scalars. */
  static Object json(Object value) {
    if (value == null
        || value instanceof dev.cel.common.values.NullValue
        || value instanceof com.google.protobuf.NullValue) {
      return null;
    }
    if (value instanceof Boolean || value instanceof String || value instanceof Long) {
      return value;
    }
    if (value instanceof Double d) {
      return d;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(json(k)), json(v)));
      return out;
    }
    if (value instanceof Collection<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(json(v)));
      return out;
    }
    return value.toString();
  }
}
