package dev.opsflow.activities.runbook;

import dev.opsflow.contracts.runbook.PinnedRunbook;
import java.util.List;

/**
 * What reading one runbook file gave: the pinned runbook when it is valid, else its problems.
 *
 * @param runbook null unless {@code problems} is empty
 */
public record RunbookValidation(
    String source, List<RunbookProblem> problems, PinnedRunbook runbook) {
  public RunbookValidation {
    problems = List.copyOf(problems);
  }

  /** True when nothing is wrong: the runbook may be started. */
  public boolean valid() {
    return problems.isEmpty();
  }
}
