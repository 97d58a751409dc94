package dev.opsflow.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a server process running until Ctrl-C / SIGTERM, then closes it (draining the worker).
 * Public for the dev module's {@code dev} verb.
 */
public final class UntilStopped {
  private UntilStopped() {}

  /** Blocks until the JVM is asked to stop, closes {@code process}, and returns exit code 0. */
  public static int run(AutoCloseable process) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("opsflow: shutting down (draining in-flight activities)...");
                  try {
                    process.close();
                  } catch (Exception e) {
                    System.err.println("opsflow: error during shutdown: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "opsflow-shutdown"));
    stopped.await();
    return 0;
  }
}
