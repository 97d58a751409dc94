package dev.opsflow.activities.runbook;

import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Evaluates with {@link RunbookEvaluator}; a problem is a non-retryable {@code ExpressionError}.
 */
public final class RunbookExpressionActivitiesImpl implements RunbookExpressionActivities {
  @Override
  public boolean holds(String condition, Map<String, Object> variables) {
    return evaluated(() -> RunbookEvaluator.holds(condition, variables));
  }

  @Override
  public int firstHolding(List<String> conditions, Map<String, Object> variables) {
    return evaluated(
        () -> {
          for (int i = 0; i < conditions.size(); i++) {
            if (RunbookEvaluator.holds(conditions.get(i), variables)) {
              return i;
            }
          }
          return -1;
        });
  }

  @Override
  public List<Object> items(String expression, Map<String, Object> variables) {
    return evaluated(() -> RunbookEvaluator.items(expression, variables));
  }

  @Override
  public Map<String, Object> parameters(
      String operation, Map<String, Object> parameters, Map<String, Object> variables) {
    return evaluated(() -> RunbookEvaluator.parameters(operation, parameters, variables));
  }

  @Override
  public String text(String template, Map<String, Object> variables) {
    return evaluated(() -> RunbookEvaluator.text(template, variables));
  }

  private static <T> T evaluated(Supplier<T> evaluation) {
    try {
      return evaluation.get();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), EXPRESSION_ERROR);
    }
  }
}
