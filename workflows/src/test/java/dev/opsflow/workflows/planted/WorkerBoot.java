package dev.opsflow.workflows.planted;

/**
 * Reads the clock in its static initializer, which runs when workflow code first touches the class:
 * each worker gets its own value, so a replay on another worker sees another one.
 */
final class WorkerBoot {
  private static final long BOOTED_AT_NANOS = System.nanoTime();

  private WorkerBoot() {}

  static long bootedAtNanos() {
    return BOOTED_AT_NANOS;
  }
}
