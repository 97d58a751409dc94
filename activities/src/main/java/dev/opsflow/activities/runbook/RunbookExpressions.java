package dev.opsflow.activities.runbook;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.opsflow.activities.metrics.AnalysisConditions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expressions of a runbook (decisions, check conditions, loop lists and conditions, the {@code
 * {{ }}} parts of templates), in CEL: deterministic, sandboxed, no I/O, bounded by the same limits
 * as analysis conditions ({@link AnalysisConditions#OPTIONS}).
 *
 * <p>An expression reads {@code input} (the run's input), {@code steps} (every step's result as
 * {@code steps.ID.result}, or {@code steps['ID-WITH-DASHES'].result}), the runbook's declared
 * variables by name, and where it applies {@code result} (a check's probe answer) or a loop's item
 * variable. Any other name does not compile.
 */
final class RunbookExpressions {
  /** The run's input. */
  static final String INPUT = "input";

  /** Every step's result by step id. */
  static final String STEPS = "steps";

  /** A check's probe answer, in its {@code condition}. */
  static final String RESULT = "result";

  /** Names an expression always has, which a declared variable may therefore not take. */
  static final Set<String> RESERVED = Set.of(INPUT, STEPS, RESULT);

  /** {@code {{ expression }}} inside a template or a parameter's string. */
  static final Pattern TEMPLATE_PART = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);

  /** What an expression must yield. */
  enum Yields {
    BOOL(SimpleType.BOOL),
    LIST(ListType.create(SimpleType.DYN)),
    ANY(null);

    private final CelType type;

    Yields(CelType type) {
      this.type = type;
    }
  }

  private RunbookExpressions() {}

  /**
   * Why {@code text} cannot be used where it stands, or empty when it compiles, yields what it must
   * and reads only steps that exist.
   *
   * @param names the declared variables and the names this place adds ({@code result}, a loop's
   *     item)
   */
  static Optional<String> problem(
      String text, Set<String> names, Yields yields, Set<String> stepIds) {
    CelCompilerBuilder builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(AnalysisConditions.OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar(INPUT, SimpleType.DYN)
            .addVar(STEPS, MapType.create(SimpleType.STRING, SimpleType.DYN));
    for (String name : names) {
      builder.addVar(name, SimpleType.DYN);
    }
    if (yields.type != null) {
      builder.setResultType(yields.type);
    }
    CelCompiler compiler = builder.build();
    CelValidationResult validation = compiler.compile(text);
    if (validation.hasError()) {
      return Optional.of("'" + text.strip() + "' does not compile: " + describe(validation));
    }
    try {
      CelAbstractSyntaxTree ast = validation.getAst();
      for (String read : stepsRead(ast)) {
        if (!stepIds.contains(read)) {
          return Optional.of(
              "'"
                  + text.strip()
                  + "' reads steps."
                  + read
                  + ", and there is no step '"
                  + read
                  + "'");
        }
      }
      return Optional.empty();
    } catch (CelValidationException e) {
      return Optional.of("'" + text.strip() + "' does not compile: " + e.getMessage());
    }
  }

  /** The expressions inside a template's {@code {{ }}}, in order. */
  static List<String> templateParts(String template) {
    List<String> parts = new ArrayList<>();
    Matcher m = TEMPLATE_PART.matcher(template);
    while (m.find()) {
      parts.add(m.group(1));
    }
    return parts;
  }

  /** True when the whole string is one {@code {{ expression }}}: its value may be of any type. */
  static boolean isWholeTemplate(String value) {
    Matcher m = TEMPLATE_PART.matcher(value.strip());
    return m.matches();
  }

  /** The step ids an expression reads as {@code steps.ID} or {@code steps['ID']}. */
  private static Set<String> stepsRead(CelAbstractSyntaxTree ast) {
    Set<String> read = new LinkedHashSet<>();
    CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .forEach(
            expr -> {
              if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT
                  && isSteps(expr.select().operand())) {
                read.add(expr.select().field());
              } else if (expr.getKind() == CelExpr.ExprKind.Kind.CALL
                  && "_[_]".equals(expr.call().function())
                  && expr.call().args().size() == 2
                  && isSteps(expr.call().args().get(0))
                  && expr.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                  && expr.call().args().get(1).constant().getKind()
                      == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
                read.add(expr.call().args().get(1).constant().stringValue());
              }
            });
    return read;
  }

  private static boolean isSteps(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && STEPS.equals(expr.ident().name());
  }

  /** CEL's first error, without its position block (the problem names the line). */
  private static String describe(CelValidationResult validation) {
    CelIssue first = validation.getErrors().get(0);
    return first.getMessage().replace(" (in container '')", "");
  }
}
