package dev.opsflow.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Sends as fast as the receiver takes it, with a fixed number of requests in flight (as a storm
 * from several Alertmanagers would arrive); how long the whole takes is what is measured.
 */
final class ClosedLoop {
  record Outcome(int ok, int failed, double seconds, String firstError) {}

  private ClosedLoop() {}

  static Outcome run(int count, int inFlight, IntFunction<CompletableFuture<Boolean>> send)
      throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    String[] firstError = {null};
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      CompletableFuture<Boolean> sent;
      try {
        sent = send.apply(i);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete(
          (accepted, error) -> {
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
            slots.release();
          });
    }
    if (!slots.tryAcquire(inFlight, 300, TimeUnit.SECONDS)) {
      firstError[0] = "requests still unanswered after 300 s";
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Outcome(ok.get(), count - ok.get(), seconds, firstError[0]);
  }
}
