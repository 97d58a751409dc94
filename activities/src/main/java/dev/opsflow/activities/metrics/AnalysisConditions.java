package dev.opsflow.activities.metrics;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.QueryTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The success and failure conditions of {@link MetricCheck}s, compiled and evaluated with CEL.
 *
 * <p>CEL runs here, in the activity that takes the measurement, never in workflow code: the
 * workflow's history then records the phase the condition gave, so a replay (on a worker with
 * another CEL version, or after a change to these options) reads the recorded decision instead of
 * evaluating again, and the workflow's determinism check (which stops at third-party libraries)
 * does not have to vouch for CEL's internals. Workflow code only counts phases.
 *
 * <p>{@code result} and {@code stable} are declared {@code dyn}: a number for a scalar or a single
 * series, a list of numbers for several series. Numbers of different kinds compare ({@code result <
 * 1} works on a double). A condition must yield a boolean.
 */
public final class AnalysisConditions {
  /** The CEL variable holding the canary's value(s). */
  public static final String RESULT = "result";

  /** The CEL variable holding the stable version's value(s). */
  public static final String STABLE = "stable";

  private static final int MAX_CACHED = 1_000;

  /**
   * The limits every CEL expression opsflow compiles runs under (analysis conditions here, runbook
   * expressions in {@code activities.runbook}).
   */
  public static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          // a condition is a comparison, not a program: bound the work one evaluation may do
          .comprehensionMaxIterations(10_000)
          .maxExpressionCodePointSize(4_096)
          .build();

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar(RESULT, SimpleType.DYN)
          .addVar(STABLE, SimpleType.DYN)
          .setResultType(SimpleType.BOOL)
          .build();

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  /** Compiled programs by expression text, so each condition is compiled once per worker. */
  private static final Map<String, Condition> CACHE = new ConcurrentHashMap<>();

  private AnalysisConditions() {}

  /** One compiled condition and whether it compares with the stable version. */
  record Condition(String text, CelRuntime.Program program, boolean usesStable) {
    /** True or false for these values, or a CEL evaluation error. */
    boolean holds(Object result, Object stable) throws CelEvaluationException {
      Map<String, Object> vars = new HashMap<>();
      vars.put(RESULT, result);
      if (usesStable) {
        vars.put(STABLE, stable);
      }
      Object value = program.eval(vars);
      if (value instanceof Boolean b) {
        return b;
      }
      throw new CelEvaluationException("yields " + value + ", not true or false");
    }
  }

  /** A metric's conditions, compiled. Either may be null, not both. */
  record Compiled(Condition success, Condition failure) {
    boolean usesStable() {
      return (success != null && success.usesStable()) || (failure != null && failure.usesStable());
    }
  }

  /**
   * Every problem of {@code template}, each naming its field: the structural ones of {@link
   * AnalysisTemplate#problems()} and the conditions that do not compile. Empty when the template is
   * usable; run it before a rollout starts, so that a bad expression is refused at the door.
   */
  public static List<String> problems(AnalysisTemplate template) {
    if (template == null) {
      return List.of("analysis: is required");
    }
    List<String> problems = new ArrayList<>(template.problems());
    for (int i = 0; i < template.metrics().size(); i++) {
      MetricCheck metric = template.metrics().get(i);
      if (metric != null) {
        problems.addAll(conditionProblems(AnalysisTemplate.fieldOf(i, metric) + ".", metric));
      }
    }
    return problems;
  }

  private static List<String> conditionProblems(String prefix, MetricCheck metric) {
    List<String> problems = new ArrayList<>();
    conditionProblem(metric.successCondition())
        .ifPresent(p -> problems.add(prefix + "successCondition: " + p));
    conditionProblem(metric.failureCondition())
        .ifPresent(p -> problems.add(prefix + "failureCondition: " + p));
    return problems;
  }

  /**
   * The problems of measuring {@code check} on {@code subject}: the check's own, its conditions',
   * the subject's names, and a placeholder or a comparison with {@code stable} whose value is not
   * given.
   */
  public static List<String> problems(MetricCheck check, AnalysisSubject subject) {
    if (check == null) {
      return List.of("check: is required");
    }
    List<String> problems = new ArrayList<>();
    check.problems().forEach(p -> problems.add("check." + p));
    problems.addAll(conditionProblems("check.", check));
    if (subject == null) {
      problems.add("subject: is required");
      return problems;
    }
    for (String p : subject.problems()) {
      problems.add("subject." + p);
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    Map<String, String> values = subject.placeholderValues();
    for (String used : QueryTemplate.placeholders(check.query())) {
      if (!values.containsKey(used)) {
        problems.add("subject." + used + ": is required, the query uses {{" + used + "}}");
      }
    }
    if (compile(check).usesStable() && subject.stable() == null) {
      problems.add("subject.stable: is required, a condition compares with stable");
    }
    return problems;
  }

  /** The check's conditions, compiled (from the cache when seen before). */
  static Compiled compile(MetricCheck check) {
    return new Compiled(condition(check.successCondition()), condition(check.failureCondition()));
  }

  /**
   * The phase of one measurement with Argo's rules: with both conditions, FAILED when the failure
   * condition holds, else SUCCESSFUL when the success condition holds, else INCONCLUSIVE; with one,
   * its truth decides either way.
   *
   * @throws CelEvaluationException when a condition cannot be evaluated on these values
   */
  static MeasurementPhase judge(Compiled conditions, Object result, Object stable)
      throws CelEvaluationException {
    if (conditions.failure() != null && conditions.failure().holds(result, stable)) {
      return MeasurementPhase.FAILED;
    }
    if (conditions.success() == null) {
      return MeasurementPhase.SUCCESSFUL;
    }
    if (conditions.success().holds(result, stable)) {
      return MeasurementPhase.SUCCESSFUL;
    }
    return conditions.failure() == null ? MeasurementPhase.FAILED : MeasurementPhase.INCONCLUSIVE;
  }

  private static java.util.Optional<String> conditionProblem(String text) {
    if (text == null) {
      return java.util.Optional.empty();
    }
    try {
      condition(text);
      return java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      return java.util.Optional.of(e.getMessage());
    }
  }

  private static Condition condition(String text) {
    if (text == null) {
      return null;
    }
    Condition cached = CACHE.get(text);
    if (cached != null) {
      return cached;
    }
    Condition compiled = compileNow(text);
    if (CACHE.size() >= MAX_CACHED) {
      CACHE.clear();
    }
    CACHE.put(text, compiled);
    return compiled;
  }

  private static Condition compileNow(String text) {
    CelValidationResult validation = COMPILER.compile(text);
    if (validation.hasError()) {
      throw new IllegalArgumentException(
          "'" + text + "' does not compile as CEL: " + validation.getErrorString());
    }
    try {
      CelAbstractSyntaxTree ast = validation.getAst();
      boolean usesStable =
          ast.getReferenceMap().values().stream().anyMatch(r -> STABLE.equals(r.name()));
      return new Condition(text, RUNTIME.createProgram(ast), usesStable);
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(
          "'" + text + "' does not compile as CEL: " + e.getMessage(), e);
    }
  }
}
