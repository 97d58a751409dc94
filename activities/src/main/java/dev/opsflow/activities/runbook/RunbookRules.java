package dev.opsflow.activities.runbook;

import dev.opsflow.activities.runbook.RunbookExpressions.Yields;
import dev.opsflow.contracts.runbook.ActionStep;
import dev.opsflow.contracts.runbook.ApprovalStep;
import dev.opsflow.contracts.runbook.CheckStep;
import dev.opsflow.contracts.runbook.DecisionBranch;
import dev.opsflow.contracts.runbook.DecisionStep;
import dev.opsflow.contracts.runbook.LoopStep;
import dev.opsflow.contracts.runbook.NotifyStep;
import dev.opsflow.contracts.runbook.OperationParameter;
import dev.opsflow.contracts.runbook.ParameterType;
import dev.opsflow.contracts.runbook.RunbookCatalog;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookOperation;
import dev.opsflow.contracts.runbook.RunbookStep;
import dev.opsflow.contracts.runbook.WaitStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the schema cannot say about a runbook that has the right shape: every step it names exists,
 * every step can be reached, no loop can spin without waiting, every probe and action is in {@link
 * RunbookCatalog} with its parameters, and every expression compiles over the names it may read.
 * Each problem names the step and the field.
 */
final class RunbookRules {
  private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|s|m|h|d)");

  private final RunbookDefinition runbook;
  private final SourceTree tree;
  private final List<RunbookProblem> problems = new ArrayList<>();
  private final Map<String, Integer> indexById = new HashMap<>();

  private RunbookRules(RunbookDefinition runbook, SourceTree tree) {
    this.runbook = runbook;
    this.tree = tree;
  }

  static List<RunbookProblem> problems(RunbookDefinition runbook, SourceTree tree) {
    RunbookRules rules = new RunbookRules(runbook, tree);
    rules.check();
    return rules.problems;
  }

  private void check() {
    uniqueIds();
    variables();
    if (!indexById.containsKey(runbook.startWith())) {
      problems.add(
          tree.problem(
              List.of("startWith"), "no step '" + runbook.startWith() + "' in this runbook"));
    }
    boolean referencesResolve = references();
    if (referencesResolve && indexById.containsKey(runbook.startWith())) {
      reachability();
      loopsThatSpin();
    }
    Map<String, Set<String>> loopNames = loopNamesByStep();
    for (int i = 0; i < runbook.steps().size(); i++) {
      RunbookStep step = runbook.steps().get(i);
      Set<String> names = new LinkedHashSet<>(runbook.variables().keySet());
      names.addAll(loopNames.getOrDefault(step.id(), Set.of()));
      stepFields(i, step, names);
    }
  }

  private void uniqueIds() {
    for (int i = 0; i < runbook.steps().size(); i++) {
      String id = runbook.steps().get(i).id();
      Integer first = indexById.putIfAbsent(id, i);
      if (first != null) {
        problems.add(
            tree.stepProblem(
                i,
                "id",
                "another step has this id (line " + tree.line(List.of("steps", first)) + ")"));
      }
    }
  }

  private void variables() {
    for (String name : runbook.variables().keySet()) {
      if (RunbookExpressions.RESERVED.contains(name)) {
        problems.add(
            tree.problem(
                List.of("variables", name),
                "'" + name + "' is a name every expression has: choose another"));
      }
    }
  }

  /** Unknown targets of transitions; true when every one resolves. */
  private boolean references() {
    boolean all = true;
    for (int i = 0; i < runbook.steps().size(); i++) {
      RunbookStep step = runbook.steps().get(i);
      for (Map.Entry<String, String> t : step.transitions().entrySet()) {
        if (!indexById.containsKey(t.getValue())) {
          all = false;
          problems.add(
              tree.stepProblem(i, t.getKey(), "no step '" + t.getValue() + "' in this runbook"));
        }
      }
    }
    return all;
  }

  private void reachability() {
    Set<String> reached = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(runbook.startWith()));
    while (!todo.isEmpty()) {
      String id = todo.pop();
      if (reached.add(id)) {
        todo.addAll(runbook.step(id).transitions().values());
      }
    }
    for (int i = 0; i < runbook.steps().size(); i++) {
      if (!reached.contains(runbook.steps().get(i).id())) {
        problems.add(
            tree.stepProblem(
                i,
                "id",
                "unreachable: no transition from startWith '"
                    + runbook.startWith()
                    + "' leads to this step"));
      }
    }
  }

  /**
   * A cycle of transitions with no wait step in it can run as fast as the worker can: a check that
   * fails into an action that hands back to the check hammers both. Each such cycle is reported
   * once, on the transition that closes it, from the step that comes first in the file. A {@code
   * while} loop must wait in its body for the same reason; an {@code over} loop is bounded by its
   * list.
   */
  private void loopsThatSpin() {
    for (List<String> cycle : cyclesWithoutWait()) {
      String first = cycle.get(0);
      String closing = cycle.size() > 1 ? cycle.get(1) : first;
      String field = fieldTo(runbook.step(first), closing);
      problems.add(
          tree.stepProblem(
              indexById.get(first),
              field,
              "the steps "
                  + String.join(" -> ", cycle)
                  + " -> "
                  + first
                  + " loop without a wait step: add one, or use a loop step with over"));
    }
    for (int i = 0; i < runbook.steps().size(); i++) {
      if (runbook.steps().get(i) instanceof LoopStep loop && loop.whileCondition() != null) {
        Set<String> body = bodyOf(loop);
        boolean waits = body.stream().map(runbook::step).anyMatch(s -> s instanceof WaitStep);
        if (!waits) {
          problems.add(
              tree.stepProblem(
                  i,
                  "while",
                  "a while loop can spin: its body (from '" + loop.body() + "') has no wait step"));
        }
      }
    }
  }

  /** The transition field of {@code from} that leads to {@code to}. */
  private static String fieldTo(RunbookStep from, String to) {
    return from.transitions().entrySet().stream()
        .filter(e -> e.getValue().equals(to))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("id");
  }

  /**
   * Every strongly connected group of steps (Tarjan) that is a cycle and holds no wait step, as one
   * cycle through it, starting at its step that comes first in the file.
   */
  private List<List<String>> cyclesWithoutWait() {
    List<Set<String>> groups = new StronglyConnected(runbook).groups();
    List<List<String>> cycles = new ArrayList<>();
    for (Set<String> group : groups) {
      String first =
          group.stream().min((a, b) -> indexById.get(a) - indexById.get(b)).orElseThrow();
      boolean cyclic = group.size() > 1 || runbook.step(first).transitions().containsValue(first);
      boolean waits = group.stream().map(runbook::step).anyMatch(s -> s instanceof WaitStep);
      if (cyclic && !waits) {
        cycles.add(pathBack(first, group));
      }
    }
    cycles.sort((a, b) -> indexById.get(a.get(0)) - indexById.get(b.get(0)));
    return cycles;
  }

  /** A shortest path from {@code start} back to it inside {@code group}, without the return. */
  private List<String> pathBack(String start, Set<String> group) {
    Map<String, String> cameFrom = new HashMap<>();
    Deque<String> todo = new ArrayDeque<>(List.of(start));
    while (!todo.isEmpty()) {
      String id = todo.removeFirst();
      for (String next : runbook.step(id).transitions().values()) {
        if (!group.contains(next)) {
          continue;
        }
        if (next.equals(start)) {
          List<String> path = new ArrayList<>();
          for (String at = id; at != null; at = cameFrom.get(at)) {
            path.add(0, at);
          }
          return path;
        }
        if (!cameFrom.containsKey(next)) {
          cameFrom.put(next, id);
          todo.addLast(next);
        }
      }
    }
    return List.of(start);
  }

  /** The steps a loop runs as its body: from {@code body}, by transitions, not through the loop. */
  private Set<String> bodyOf(LoopStep loop) {
    Set<String> body = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(loop.body()));
    while (!todo.isEmpty()) {
      String id = todo.pop();
      if (!id.equals(loop.id()) && indexById.containsKey(id) && body.add(id)) {
        todo.addAll(runbook.step(id).transitions().values());
      }
    }
    return body;
  }

  /**
   * Each step in a loop body reads the loop's item variable (nested loops: every enclosing one).
   */
  private Map<String, Set<String>> loopNamesByStep() {
    Map<String, Set<String>> names = new HashMap<>();
    for (RunbookStep step : runbook.steps()) {
      if (step instanceof LoopStep loop && indexById.containsKey(loop.body())) {
        for (String id : bodyOf(loop)) {
          names.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(loop.as());
        }
      }
    }
    return names;
  }

  private void stepFields(int i, RunbookStep step, Set<String> names) {
    if (step instanceof CheckStep check) {
      operation(i, RunbookOperation.Kind.PROBE, "probe", check.probe(), check.parameters(), names);
      if (check.condition() != null) {
        Set<String> withResult = new LinkedHashSet<>(names);
        withResult.add(RunbookExpressions.RESULT);
        expression(i, "condition", check.condition(), withResult, Yields.BOOL);
      }
    } else if (step instanceof ActionStep action) {
      operation(
          i, RunbookOperation.Kind.ACTION, "action", action.action(), action.parameters(), names);
    } else if (step instanceof DecisionStep decision) {
      decision(i, decision, names);
    } else if (step instanceof NotifyStep notify) {
      template(i, "message", notify.message(), names);
    } else if (step instanceof ApprovalStep approval) {
      approval(i, approval, names);
    } else if (step instanceof LoopStep loop) {
      loop(i, loop, names);
    }
    // wait and parallel steps have no expressions; the schema checked their fields
  }

  private void decision(int i, DecisionStep decision, Set<String> names) {
    Set<String> seen = new HashSet<>();
    for (int b = 0; b < decision.branches().size(); b++) {
      DecisionBranch branch = decision.branches().get(b);
      if (!seen.add(branch.name())) {
        problems.add(
            tree.stepProblem(
                i, "branches[" + b + "].name", "another branch is named '" + branch.name() + "'"));
      }
      expression(i, "branches[" + b + "].when", branch.when(), names, Yields.BOOL);
    }
  }

  private void approval(int i, ApprovalStep approval, Set<String> names) {
    if (approval.required() != null && approval.required() > approval.approvers().size()) {
      problems.add(
          tree.stepProblem(
              i,
              "required",
              approval.required()
                  + " approvals cannot come from "
                  + approval.approvers().size()
                  + " approver(s)"));
    }
    if (approval.message() != null) {
      template(i, "message", approval.message(), names);
    }
  }

  private void loop(int i, LoopStep loop, Set<String> names) {
    if (runbook.variables().containsKey(loop.as())
        || RunbookExpressions.RESERVED.contains(loop.as())) {
      problems.add(
          tree.stepProblem(
              i, "as", "'" + loop.as() + "' is already a name expressions read: choose another"));
    }
    if (loop.over() != null) {
      expression(i, "over", loop.over(), names, Yields.LIST);
    } else {
      Set<String> withPass = new LinkedHashSet<>(names);
      withPass.add(loop.as());
      expression(i, "while", loop.whileCondition(), withPass, Yields.BOOL);
    }
  }

  private void operation(
      int i,
      RunbookOperation.Kind kind,
      String field,
      String name,
      Map<String, Object> parameters,
      Set<String> names) {
    RunbookOperation operation = RunbookCatalog.find(kind, name).orElse(null);
    if (operation == null) {
      problems.add(
          tree.stepProblem(
              i,
              field,
              "unknown "
                  + (kind == RunbookOperation.Kind.PROBE ? "probe" : "action")
                  + " '"
                  + name
                  + "'; known: "
                  + String.join(", ", RunbookCatalog.names(kind))));
      return;
    }
    for (OperationParameter p : operation.parameters()) {
      if (p.required() && !parameters.containsKey(p.name())) {
        problems.add(
            tree.stepProblem(
                i,
                "parameters",
                name + " needs parameter '" + p.name() + "' (" + p.type().expected() + ")"));
      }
    }
    for (Map.Entry<String, Object> given : parameters.entrySet()) {
      String paramField = "parameters." + given.getKey();
      OperationParameter p = operation.parameter(given.getKey());
      if (p == null) {
        problems.add(
            tree.stepProblem(
                i,
                paramField,
                name
                    + " has no parameter '"
                    + given.getKey()
                    + "'; it has: "
                    + String.join(
                        ", ",
                        operation.parameters().stream().map(OperationParameter::name).toList())));
        continue;
      }
      parameterValue(i, paramField, name, p, given.getValue(), names);
    }
  }

  private void parameterValue(
      int i,
      String field,
      String operation,
      OperationParameter p,
      Object value,
      Set<String> names) {
    if (value instanceof String s && s.contains("{{")) {
      boolean textual = p.type() == ParameterType.STRING || p.type() == ParameterType.DURATION;
      if (!textual && !RunbookExpressions.isWholeTemplate(s)) {
        problems.add(
            tree.stepProblem(
                i,
                field,
                operation
                    + " wants "
                    + p.type().expected()
                    + ": give a value or one {{ expression }}, not text around it"));
        return;
      }
      template(i, field, s, names);
      return;
    }
    if (!fits(p.type(), value)) {
      problems.add(
          tree.stepProblem(
              i, field, "is " + shown(value) + ", " + operation + " wants " + p.type().expected()));
    }
  }

  private static boolean fits(ParameterType type, Object value) {
    return switch (type) {
      case STRING -> value instanceof String;
      case INTEGER ->
          value instanceof Integer
              || value instanceof Long
              || value instanceof java.math.BigInteger;
      case NUMBER -> value instanceof Number;
      case BOOLEAN -> value instanceof Boolean;
      case DURATION -> value instanceof String s && DURATION.matcher(s).matches();
      case STRING_LIST ->
          value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String);
      case STRING_MAP ->
          value instanceof Map<?, ?> map
              && map.values().stream().allMatch(v -> v instanceof String);
    };
  }

  private static String shown(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }

  private void template(int i, String field, String text, Set<String> names) {
    for (String part : RunbookExpressions.templateParts(text)) {
      if (expression(i, field, part, names, Yields.ANY)) {
        return;
      }
    }
  }

  /** Adds the expression's problem, if any; true when it had one. */
  private boolean expression(int i, String field, String text, Set<String> names, Yields yields) {
    return RunbookExpressions.problem(text, names, yields, indexById.keySet())
        .map(p -> problems.add(tree.stepProblem(i, field, p)))
        .orElse(false);
  }
}
