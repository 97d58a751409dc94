package dev.opsflow.contracts.runbook;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs its body once per item of a list ({@code over}) or again while a condition holds ({@code
 * while}); exactly one of the two is given. A {@code while} loop must wait somewhere in its body,
 * so that it cannot spin.
 *
 * @param over CEL yielding a list; each item is readable in the body under {@code as}
 * @param whileCondition CEL, true or false, evaluated before each pass ({@code while} in YAML)
 * @param as the name the body reads the current item (or, in a {@code while} loop, the pass number)
 *     by; default {@code item}
 * @param body the first step of the body, which follows its own transitions to its end
 * @param maxIterations a bound on passes; the loop fails when it is reached
 * @param concurrency how many passes of an {@code over} loop run at once (default 1)
 */
public record LoopStep(
    String id,
    String description,
    String over,
    @JsonProperty("while") String whileCondition,
    String as,
    String body,
    Integer maxIterations,
    Integer concurrency,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  /** The item variable's name when {@code as} is not given. */
  public static final String DEFAULT_ITEM = "item";

  public LoopStep {
    as = as == null || as.isBlank() ? DEFAULT_ITEM : as;
    concurrency = concurrency == null ? 1 : concurrency;
  }

  @Override
  public Map<String, String> transitions() {
    Map<String, String> next = new LinkedHashMap<>();
    if (body != null) {
      next.put("body", body);
    }
    next.putAll(Transitions.of("onSuccess", onSuccess, "onFailure", onFailure));
    return next;
  }
}
