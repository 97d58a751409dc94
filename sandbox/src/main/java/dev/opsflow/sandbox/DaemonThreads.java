package dev.opsflow.sandbox;

import java.util.concurrent.ThreadFactory;

/** Threads of the sandbox's pools: named, and daemons, so that none keeps a JVM alive. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads that all carry this name. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
