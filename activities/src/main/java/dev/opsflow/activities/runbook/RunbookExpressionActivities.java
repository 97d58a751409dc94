package dev.opsflow.activities.runbook;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;

/**
 * A runbook's expressions, evaluated for its interpreter as local activities ({@link
 * RunbookOptions#EXPRESSIONS}). CEL is pure, but it runs here and not in workflow code for the
 * reason {@link dev.opsflow.activities.metrics.AnalysisConditions} gives: the answer is recorded in
 * the run's history, so a replay on a worker with another CEL version reads the decision taken
 * instead of taking it again, and the workflow's determinism check need not vouch for CEL's
 * internals.
 *
 * <p>{@code variables} is what an expression reads: {@code input}, {@code steps}, the declared
 * variables, and where it applies {@code result} or a loop's item. An expression that does not
 * compile, cannot be evaluated on these values or yields the wrong type fails with the
 * non-retryable type {@value #EXPRESSION_ERROR} and a message naming the expression.
 */
@ActivityInterface(namePrefix = "RunbookExpression")
public interface RunbookExpressionActivities {
  /** The failure type of an expression that cannot be evaluated. */
  String EXPRESSION_ERROR = "ExpressionError";

  /** Whether a condition holds (a check's condition, a loop's {@code while}). */
  @ActivityMethod
  boolean holds(String condition, Map<String, Object> variables);

  /**
   * The first of {@code conditions} that holds (a decision's branches, in order), or -1 when none.
   */
  @ActivityMethod
  int firstHolding(List<String> conditions, Map<String, Object> variables);

  /** The items of a loop's {@code over}. */
  @ActivityMethod
  List<Object> items(String expression, Map<String, Object> variables);

  /** A step's parameters with every {@code {{ }}} evaluated ({@link RunbookEvaluator}). */
  @ActivityMethod
  Map<String, Object> parameters(
      String operation, Map<String, Object> parameters, Map<String, Object> variables);

  /** A message with every {@code {{ }}} replaced by its value. */
  @ActivityMethod
  String text(String template, Map<String, Object> variables);
}
