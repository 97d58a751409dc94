package dev.opsflow.workflows.planted;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A record such as workflows take from the activities module, with planted calls workflow code
 * reaches ({@link #after}, {@link #withJitter}) and one it never calls ({@link #fromWallClock}).
 */
public record RetryDeadline(long epochMillis) {
  /** A non-final static outside workflow code: reported where workflow code reaches it. */
  private static int issued;

  static RetryDeadline after(Duration wait) {
    issued++;
    return new RetryDeadline(System.currentTimeMillis() + wait.toMillis());
  }

  /** Never called by workflow code, so never reported. */
  static RetryDeadline fromWallClock() {
    return new RetryDeadline(Instant.now().toEpochMilli());
  }

  long withJitter() {
    // Inside a lambda, to prove the walk sees calls made from lambda bodies.
    LongSupplier jitter = () -> ThreadLocalRandom.current().nextLong(1_000);
    return epochMillis + jitter.getAsLong();
  }
}
