package dev.opsflow.workflows.kernel;

import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;

/**
 * The saga of one run: each undo is registered before the step it undoes (so a step that half
 * happened before a crash is still undone), and on failure, rejection or cancellation they run
 * newest first in a detached cancellation scope, so that a cancel does not cancel the cleanup. A
 * failing undo is recorded and the next one still runs.
 */
public final class Compensation {
  private static final Logger log = Workflow.getLogger(Compensation.class);

  /** One registered undo. */
  private record Undo(String name, Runnable action) {}

  private final Deque<Undo> undos = new ArrayDeque<>();
  private final List<String> record = new ArrayList<>();

  /** Registers the undo of the step about to run. */
  public void register(String name, Runnable undo) {
    undos.push(new Undo(name, undo));
  }

  /** A step that must never be undone (e.g. after a promotion) drops what came before it. */
  public void forgetAll(String why) {
    if (!undos.isEmpty()) {
      record.add("compensation given up: " + why);
    }
    undos.clear();
  }

  /** True when something would be undone. */
  public boolean pending() {
    return !undos.isEmpty();
  }

  /** Runs every registered undo, newest first, in a detached scope; returns what happened. */
  public List<String> run(String why) {
    if (undos.isEmpty()) {
      return List.of();
    }
    List<String> done = new ArrayList<>();
    Workflow.newDetachedCancellationScope(
            () -> {
              while (!undos.isEmpty()) {
                Undo undo = undos.pop();
                try {
                  undo.action().run();
                  done.add("undone: " + undo.name());
                } catch (ActivityFailure e) {
                  done.add("undo FAILED: " + undo.name() + ": " + Failures.reason(e));
                  log.warn("Undo {} failed: {}", undo.name(), Failures.reason(e));
                }
              }
            })
        .run();
    record.add("compensated (" + why + "): " + String.join("; ", done));
    return done;
  }

  /** What was compensated, in order. */
  public List<String> record() {
    return List.copyOf(record);
  }
}
