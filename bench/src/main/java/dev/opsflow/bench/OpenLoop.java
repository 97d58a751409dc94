package dev.opsflow.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Sends at a fixed rate by the clock (open loop): request {@code i} is due at {@code start + i /
 * rate} whatever happened to the earlier ones, and its latency is measured from when it was due,
 * not from when it could be sent, so a server that slows down cannot hide its latency by slowing
 * the sender (coordinated omission).
 */
final class OpenLoop {
  /** What one run at a rate gave. */
  record Outcome(Samples latency, int ok, int failed, double seconds, String firstError) {
    double acceptedPerSecond() {
      return ok / seconds;
    }
  }

  private OpenLoop() {}

  /**
   * @param send starts request {@code i}; its future completes true when accepted
   */
  static Outcome run(double rate, int count, IntFunction<CompletableFuture<Boolean>> send)
      throws InterruptedException {
    Samples latency = new Samples();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    String[] firstError = {null};
    CompletableFuture<?>[] all = new CompletableFuture<?>[count];
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long[] last = {start};
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      CompletableFuture<Boolean> sent;
      try {
        sent = send.apply(i);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      all[i] =
          sent.whenComplete(
              (accepted, error) -> {
                long now = System.nanoTime();
                latency.addNanos(now - due);
                synchronized (last) {
                  last[0] = Math.max(last[0], now);
                }
                if (error == null && Boolean.TRUE.equals(accepted)) {
                  ok.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                  synchronized (firstError) {
                    if (firstError[0] == null) {
                      firstError[0] = error == null ? "refused" : String.valueOf(error);
                    }
                  }
                }
              });
    }
    try {
      CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Counted per request above; a timeout leaves the rest uncounted as failed below.
    }
    int unanswered = count - ok.get() - failed.get();
    double seconds;
    synchronized (last) {
      seconds = (last[0] - start) / 1e9;
    }
    return new Outcome(latency, ok.get(), failed.get() + unanswered, seconds, firstError[0]);
  }
}
