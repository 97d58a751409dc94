package dev.opsflow.contracts.runbook;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs branches at the same time and joins them. A branch starts at the step it names and follows
 * that step's {@code onSuccess} (or {@code onFailure}) until a step that names no next step.
 *
 * @param branches the first step of each branch
 * @param join {@code all}: succeeds when every branch succeeded; {@code any}: when one did (the
 *     others are cancelled)
 * @param failurePolicy {@code fail-fast}: the first failed branch cancels the others; {@code
 *     wait-all}: every branch runs to its end before the join decides
 */
public record ParallelStep(
    String id,
    String description,
    List<String> branches,
    Join join,
    FailurePolicy failurePolicy,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  /** When the branches together succeed. */
  public enum Join {
    @JsonProperty("all")
    ALL,
    @JsonProperty("any")
    ANY
  }

  /** What a failed branch does to the others. */
  public enum FailurePolicy {
    @JsonProperty("fail-fast")
    FAIL_FAST,
    @JsonProperty("wait-all")
    WAIT_ALL
  }

  public ParallelStep {
    branches = branches == null ? List.of() : List.copyOf(branches);
    join = join == null ? Join.ALL : join;
    failurePolicy = failurePolicy == null ? FailurePolicy.FAIL_FAST : failurePolicy;
  }

  @Override
  public Map<String, String> transitions() {
    Map<String, String> next = new LinkedHashMap<>();
    for (int i = 0; i < branches.size(); i++) {
      next.put("branches[" + i + "]", branches.get(i));
    }
    next.putAll(Transitions.of("onSuccess", onSuccess, "onFailure", onFailure));
    return next;
  }
}
