package dev.opsflow.cli;

import dev.opsflow.contracts.runbook.ActionStep;
import dev.opsflow.contracts.runbook.ApprovalStep;
import dev.opsflow.contracts.runbook.CheckStep;
import dev.opsflow.contracts.runbook.DecisionBranch;
import dev.opsflow.contracts.runbook.DecisionStep;
import dev.opsflow.contracts.runbook.LoopStep;
import dev.opsflow.contracts.runbook.NotifyStep;
import dev.opsflow.contracts.runbook.ParallelStep;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookStep;
import dev.opsflow.contracts.runbook.WaitStep;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A runbook's steps and transitions for a reviewer: one line per step ({@link #what}, {@link
 * #next}) and a Mermaid {@code flowchart TD} ({@link #mermaid}) with the {@code onSuccess} / {@code
 * onFailure} edges, the decision branches, and the bodies of parallel and loop steps as dotted
 * edges. A step at the top that names no next step for an outcome ends the run with it, so the
 * chart draws that edge to {@code succeeded} or {@code failed}; inside a body or a branch it ends
 * only that body or branch, which the chart leaves open.
 */
final class RunbookGraph {
  private final RunbookDefinition runbook;
  private final Map<String, String> nodeIds = new LinkedHashMap<>();

  RunbookGraph(RunbookDefinition runbook) {
    this.runbook = runbook;
    Set<String> taken = new HashSet<>();
    for (RunbookStep step : runbook.steps()) {
      // Mermaid ids are letters, digits and '_', and "end" is a keyword: prefix and replace.
      String base = "s_" + step.id().replaceAll("[^A-Za-z0-9]", "_");
      String id = base;
      for (int i = 2; !taken.add(id); i++) {
        id = base + "_" + i;
      }
      nodeIds.put(step.id(), id);
    }
  }

  /** The step's kind, as the YAML's {@code type} names it. */
  static String kind(RunbookStep step) {
    // The YAML's type names, from the contract's own mapping.
    com.fasterxml.jackson.annotation.JsonSubTypes types =
        RunbookStep.class.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
    for (com.fasterxml.jackson.annotation.JsonSubTypes.Type t : types.value()) {
      if (t.value().isInstance(step)) {
        return t.name();
      }
    }
    return step.getClass().getSimpleName();
  }

  /** What the step does, in a few words. */
  static String what(RunbookStep step) {
    if (step instanceof CheckStep s) {
      return s.probe() + (s.condition() == null ? "" : " if " + s.condition());
    } else if (step instanceof ActionStep s) {
      return s.action();
    } else if (step instanceof DecisionStep s) {
      return s.branches().stream()
          .map(b -> b.name() + " if " + b.when())
          .collect(Collectors.joining("; "));
    } else if (step instanceof NotifyStep s) {
      return s.channel().name().toLowerCase(Locale.ROOT).replace('_', '-')
          + (s.target() == null ? "" : " " + s.target());
    } else if (step instanceof WaitStep s) {
      return s.duration();
    } else if (step instanceof ApprovalStep s) {
      return (s.required() == null ? 1 : s.required())
          + " of "
          + String.join(", ", s.approvers())
          + (s.timeout() == null ? "" : " within " + s.timeout());
    } else if (step instanceof ParallelStep s) {
      return s.join().name().toLowerCase(Locale.ROOT)
          + " of "
          + String.join(", ", s.branches())
          + " ("
          + s.failurePolicy().name().toLowerCase(Locale.ROOT).replace('_', '-')
          + ")";
    } else if (step instanceof LoopStep s) {
      return (s.over() != null
              ? "over " + s.over() + " as " + s.as()
              : "while " + s.whileCondition())
          + (s.maxIterations() == null ? "" : ", at most " + s.maxIterations());
    }
    return "";
  }

  /** The step's transitions as {@code field: step}, in the order of the fields. */
  static String next(RunbookStep step) {
    return step.transitions().entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** The Mermaid flowchart, one statement a line, ending with a newline. */
  String mermaid() {
    Set<String> inner = innerSteps();
    StringBuilder out = new StringBuilder("flowchart TD\n");
    out.append("  run_start((start))\n");
    boolean succeeds = false;
    boolean fails = false;
    for (RunbookStep step : runbook.steps()) {
      out.append("  ").append(node(step)).append('\n');
    }
    out.append("  run_start --> ").append(nodeIds.get(runbook.startWith())).append('\n');
    for (RunbookStep step : runbook.steps()) {
      String from = nodeIds.get(step.id());
      boolean top = !inner.contains(step.id());
      if (step instanceof DecisionStep s) {
        for (DecisionBranch b : s.branches()) {
          edge(out, from, "-->", b.name(), b.next());
        }
        if (s.otherwise() != null) {
          edge(out, from, "-->", "otherwise", s.otherwise());
        } else if (top) {
          out.append("  ").append(from).append(" -->|\"otherwise\"| run_succeeded\n");
          succeeds = true;
        }
        continue;
      } else if (step instanceof ParallelStep s) {
        for (int i = 0; i < s.branches().size(); i++) {
          edge(out, from, "-.->", "branch " + (i + 1), s.branches().get(i));
        }
      } else if (step instanceof LoopStep s) {
        edge(out, from, "-.->", "body", s.body());
      }
      Map<String, String> outcomes = outcomes(step);
      for (Map.Entry<String, String> e : outcomes.entrySet()) {
        if (e.getValue() != null) {
          edge(out, from, "-->", e.getKey(), e.getValue());
        } else if (top) {
          boolean success = e.getKey().equals("onSuccess");
          out.append("  ")
              .append(from)
              .append(" -->|")
              .append(quoted(e.getKey()))
              .append("| ")
              .append(success ? "run_succeeded" : "run_failed")
              .append('\n');
          succeeds |= success;
          fails |= !success;
        }
      }
    }
    if (succeeds) {
      out.append("  run_succeeded(((succeeded)))\n");
    }
    if (fails) {
      out.append("  run_failed(((failed)))\n");
    }
    return out.toString();
  }

  /** A step's outcome fields, absent ones as null (a wait has no onFailure). */
  private static Map<String, String> outcomes(RunbookStep step) {
    Map<String, String> outcomes = new LinkedHashMap<>();
    if (step instanceof CheckStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof ActionStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof NotifyStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof ApprovalStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof ParallelStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof LoopStep s) {
      twoOutcomes(outcomes, s.onSuccess(), s.onFailure());
    } else if (step instanceof WaitStep s) {
      outcomes.put("onSuccess", s.onSuccess());
    }
    return outcomes;
  }

  private static void twoOutcomes(Map<String, String> outcomes, String success, String failure) {
    outcomes.put("onSuccess", success);
    outcomes.put("onFailure", failure);
  }

  /**
   * Steps run as a loop's body or a parallel step's branch: those reachable from a body's or a
   * branch's first step through outcome and decision transitions (not through a nested body, whose
   * steps are inner anyway).
   */
  private Set<String> innerSteps() {
    Deque<String> todo = new ArrayDeque<>();
    for (RunbookStep step : runbook.steps()) {
      if (step instanceof LoopStep loop && loop.body() != null) {
        todo.add(loop.body());
      } else if (step instanceof ParallelStep parallel) {
        todo.addAll(parallel.branches());
      }
    }
    Map<String, RunbookStep> byId = new HashMap<>();
    runbook.steps().forEach(s -> byId.put(s.id(), s));
    Set<String> inner = new HashSet<>();
    while (!todo.isEmpty()) {
      String id = todo.pop();
      RunbookStep step = byId.get(id);
      if (step == null || !inner.add(id)) {
        continue;
      }
      for (Map.Entry<String, String> e : step.transitions().entrySet()) {
        if (!e.getKey().equals("body") && !e.getKey().startsWith("branches[")) {
          todo.add(e.getValue());
        } else if (step instanceof DecisionStep) {
          todo.add(e.getValue());
        }
      }
    }
    return inner;
  }

  private String node(RunbookStep step) {
    String label = quoted(step.id() + "<br/>" + kind(step) + " " + shortWhat(step));
    String id = nodeIds.get(step.id());
    if (step instanceof DecisionStep) {
      return id + "{" + label + "}";
    } else if (step instanceof ParallelStep || step instanceof LoopStep) {
      return id + "[[" + label + "]]";
    } else if (step instanceof ApprovalStep) {
      return id + "([" + label + "])";
    } else if (step instanceof WaitStep) {
      return id + "[/" + label + "/]";
    }
    return id + "[" + label + "]";
  }

  /** The chart's label keeps to the operation: conditions and messages make boxes unreadable. */
  private static String shortWhat(RunbookStep step) {
    if (step instanceof CheckStep s) {
      return s.probe();
    } else if (step instanceof DecisionStep) {
      return "";
    } else if (step instanceof LoopStep s) {
      return s.over() != null ? "over " + s.as() : "while";
    }
    return what(step);
  }

  private void edge(StringBuilder out, String from, String arrow, String label, String to) {
    String target = nodeIds.get(to);
    if (target == null) {
      return; // a validated runbook names only its own steps
    }
    out.append("  ")
        .append(from)
        .append(' ')
        .append(arrow)
        .append('|')
        .append(quoted(label))
        .append("| ")
        .append(target)
        .append('\n');
  }

  private static String quoted(String text) {
    return "\"" + text.strip().replace("\"", "#quot;") + "\"";
  }

  /** Rows of the steps table: step, kind, what it does, where it goes. */
  List<String[]> rows() {
    return runbook.steps().stream()
        .map(s -> new String[] {s.id(), kind(s), what(s), next(s)})
        .toList();
  }
}
