package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses a named branch: the first branch whose {@code when} holds, else {@code otherwise}.
 *
 * @param otherwise the step when no branch holds (null: the run ends, successfully)
 */
public record DecisionStep(
    String id, String description, List<DecisionBranch> branches, String otherwise)
    implements RunbookStep {
  public DecisionStep {
    branches = branches == null ? List.of() : List.copyOf(branches);
  }

  @Override
  public Map<String, String> transitions() {
    Map<String, String> next = new LinkedHashMap<>();
    for (int i = 0; i < branches.size(); i++) {
      if (branches.get(i).next() != null) {
        next.put("branches[" + i + "].next", branches.get(i).next());
      }
    }
    if (otherwise != null) {
      next.put("otherwise", otherwise);
    }
    return next;
  }
}
