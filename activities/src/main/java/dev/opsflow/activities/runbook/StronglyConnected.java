package dev.opsflow.activities.runbook;

import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The strongly connected groups of a runbook's steps by their transitions (Tarjan's algorithm): a
 * group of more than one step, or a step that names itself, is a cycle a run can go round. Expects
 * every transition to name an existing step.
 */
final class StronglyConnected {
  private final RunbookDefinition runbook;
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, Integer> low = new HashMap<>();
  private final Deque<String> stack = new ArrayDeque<>();
  private final Set<String> onStack = new LinkedHashSet<>();
  private final List<Set<String>> groups = new ArrayList<>();
  private int counter;

  StronglyConnected(RunbookDefinition runbook) {
    this.runbook = runbook;
  }

  List<Set<String>> groups() {
    for (RunbookStep step : runbook.steps()) {
      if (!index.containsKey(step.id())) {
        visit(step.id());
      }
    }
    return groups;
  }

  // Recursive: a runbook has tens of steps, not thousands, so the depth is small.
  private void visit(String id) {
    index.put(id, counter);
    low.put(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (String next : runbook.step(id).transitions().values()) {
      if (!index.containsKey(next)) {
        visit(next);
        low.put(id, Math.min(low.get(id), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(id, Math.min(low.get(id), index.get(next)));
      }
    }
    if (low.get(id).equals(index.get(id))) {
      Set<String> group = new LinkedHashSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        group.add(member);
      } while (!member.equals(id));
      groups.add(group);
    }
  }
}
