package dev.opsflow.worker;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a process in start order; {@link #close()} stops them in reverse (HTTP first, then
 * the worker drains, then connections and the embedded service), so nothing is cut off mid-task.
 */
public final class ClosingStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClosingStack.class);
  private final Deque<AutoCloseable> parts = new ArrayDeque<>();

  public <T extends AutoCloseable> T push(T part) {
    parts.push(part);
    return part;
  }

  @Override
  public void close() {
    while (!parts.isEmpty()) {
      AutoCloseable part = parts.pop();
      try {
        part.close();
      } catch (Exception e) {
        // Shutdown goes on: one part failing to stop must not keep the others running.
        log.warn("Error while stopping {}: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
