package dev.opsflow.starter.http;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How long one HTTP request may wait for Temporal ({@code http.temporalDeadline}). The client's own
 * RPC retries would keep a call going for seconds to a minute while the frontend is down, longer
 * than Alertmanager waits (10 s) for an answer, so it would never hear the 503 that makes it retry.
 * Calls made through {@link Clock#call} carry a gRPC deadline, which both the RPC and the SDK's
 * retry loop honour: when it passes they fail with DEADLINE_EXCEEDED and the handler answers 503.
 */
public final class TemporalDeadline {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "opsflow-temporal-deadline");
            t.setDaemon(true);
            return t;
          });

  private final Duration budget;

  public TemporalDeadline(Duration budget) {
    this.budget = budget;
  }

  public Duration budget() {
    return budget;
  }

  /** Starts the clock for one request: every call through it shares one deadline. */
  public Clock start() {
    return new Clock(Deadline.after(budget.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** One request's deadline. */
  public static final class Clock {
    private final Deadline deadline;

    private Clock(Deadline deadline) {
      this.deadline = deadline;
    }

    /** The gRPC deadline, for calls made on the asynchronous stubs. */
    public Deadline deadline() {
      return deadline;
    }

    /** Milliseconds left (0 once passed). */
    public long remainingMillis() {
      return Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS));
    }

    public boolean expired() {
      return deadline.isExpired();
    }

    /** Runs {@code call} (on this thread) with the request's deadline on every RPC it makes. */
    public <T> T call(Callable<T> call) {
      Context.CancellableContext scope = Context.current().withDeadline(deadline, TIMER);
      try {
        return scope.call(call);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // The calls made here are Temporal client calls, which throw only unchecked exceptions.
        throw new IllegalStateException(e);
      } finally {
        scope.cancel(null);
      }
    }
  }
}
