package dev.opsflow.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a server process running until Ctrl-C / SIGTERM, then closes it (draining the worker). */
final class UntilStopped {
  private UntilStopped() {}

  static int run(AutoCloseable process) throws InterruptedException {
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
