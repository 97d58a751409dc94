package dev.opsflow.bench;

import java.util.Locale;

/** Progress lines while the bench runs, each with the time since it started. */
final class Progress {
  private static final long STARTED = System.nanoTime();

  private Progress() {}

  static void say(String line) {
    double seconds = (System.nanoTime() - STARTED) / 1e9;
    System.out.printf(Locale.ROOT, "[%6.1fs] %s%n", seconds, line);
    System.out.flush();
  }
}
