package dev.opsflow.starter.alerts;

import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Group commit of firing notices per problem: the notices that requests bring for one problem
 * within {@code http.noticeWindow}, and those that arrive while the problem's previous signal is on
 * its way, travel to Temporal as one signal. A per-pod alert storm on one problem then costs a
 * signal per round trip, not one per alert, and the run's history grows by as much.
 *
 * <p>Nothing is acknowledged early: each request's future completes only when the signal carrying
 * its notices was accepted by Temporal, so a request answered 202 is never lost if the starter
 * dies, and one that is not answered is retried by Alertmanager. At most one signal per problem is
 * in flight from this starter; problems do not wait for each other.
 */
final class NoticeGroupCommit implements AutoCloseable {
  /**
   * Most notices in one signal, and their size at most (label and annotation characters): keeps
   * each signal well inside Temporal's payload limit (2 MiB) whatever the alerts carry.
   */
  static final int MAX_NOTICES = 200;

  static final long MAX_CHARS = 256 * 1024;

  /**
   * Longest a problem's notices wait for its signal in flight before a second one goes alongside: a
   * round trip is milliseconds, so this only acts on a slow frontend, where waiting in line would
   * spend the requests' deadline ({@code http.temporalDeadline}) and answer them 503.
   */
  static final long PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Sends one signal for one problem's notices, completing when Temporal accepted it. */
  interface Send
      extends BiFunction<List<RemediationRequest>, Deadline, CompletableFuture<DispatchResult>> {}

  private final Send send;
  private final long windowNanos;
  private final long patienceNanos;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "opsflow-notice-window");
            t.setDaemon(true);
            return t;
          });

  /**
   * Where a timer's flush runs (building the payloads and issuing the call): threads of its own,
   * not the common pool, whose one thread on a two-core machine (parallelism = cores - 1) every
   * other user of the pool shares, so flushes queued behind each other and behind them.
   */
  private final java.util.concurrent.ExecutorService flushing =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          r -> {
            Thread t = new Thread(r, "opsflow-notice-flush");
            t.setDaemon(true);
            return t;
          });

  /** The problems with notices waiting or a signal in flight; guarded by itself. */
  private final Map<String, Problem> problems = new HashMap<>();

  NoticeGroupCommit(Send send, Duration window) {
    this(send, window, Duration.ofNanos(PATIENCE_NANOS));
  }

  /**
   * @param patience longest notices wait for their problem's signal in flight
   */
  NoticeGroupCommit(Send send, Duration window, Duration patience) {
    this.send = new Bounded(send, MAX_IN_FLIGHT);
    this.windowNanos = window.toNanos();
    this.patienceNanos = patience.toNanos();
  }

  /**
   * Signals on their way to Temporal at once from this starter: as many as the connections it
   * accepts ({@code http.maxConnections}' default), so that a large group (an 8,000-alert
   * notification on 160 problems) cannot hand the frontend thousands of calls at once. The rest
   * wait here, and one whose request's deadline passed while waiting is answered 503 without being
   * sent. A bound as low as the bare benchmark's 64 callers made ingestion slower on the bench, so
   * it guards, not throttles.
   */
  static final int MAX_IN_FLIGHT = 1000;

  /** {@link Send} with at most a number of calls at once; the others wait in arrival order. */
  static final class Bounded implements Send {
    private record Call(
        List<RemediationRequest> notices,
        Deadline deadline,
        CompletableFuture<DispatchResult> answer) {}

    private final Send send;
    private final int max;
    private final java.util.ArrayDeque<Call> waiting = new java.util.ArrayDeque<>();
    private int inFlight;

    Bounded(Send send, int max) {
      this.send = send;
      this.max = max;
    }

    @Override
    public CompletableFuture<DispatchResult> apply(
        List<RemediationRequest> notices, Deadline deadline) {
      Call call = new Call(notices, deadline, new CompletableFuture<>());
      synchronized (this) {
        if (inFlight >= max) {
          waiting.add(call);
          return call.answer;
        }
        inFlight++;
      }
      start(call);
      return call.answer;
    }

    private void start(Call call) {
      while (call != null) {
        if (call.deadline.isExpired()) {
          call.answer.completeExceptionally(
              io.grpc.Status.DEADLINE_EXCEEDED
                  .withDescription("waited for a free call past the request's deadline")
                  .asRuntimeException());
          call = next();
          continue;
        }
        CompletableFuture<DispatchResult> sent;
        try {
          sent = send.apply(call.notices, call.deadline);
        } catch (RuntimeException e) {
          sent = CompletableFuture.failedFuture(e);
        }
        Call started = call;
        sent.whenComplete(
            (result, failed) -> {
              if (failed == null) {
                started.answer.complete(result);
              } else {
                started.answer.completeExceptionally(unwrapped(failed));
              }
              Call following = next();
              if (following != null) {
                start(following);
              }
            });
        return;
      }
    }

    /** The next waiting call, keeping its slot; null (and the slot freed) when none waits. */
    private synchronized Call next() {
      Call call = waiting.poll();
      if (call == null) {
        inFlight--;
      }
      return call;
    }

    synchronized int inFlight() {
      return inFlight;
    }
  }

  /**
   * Hands over one request's firing notices for one problem; the future completes when Temporal
   * accepted a signal carrying all of them (or fails with why it did not).
   *
   * @param deadline the request's deadline; the signal is tried until the latest of its waiters'
   */
  CompletableFuture<DispatchResult> deliver(
      String workflowId, List<RemediationRequest> notices, Deadline deadline) {
    Waiter waiter = new Waiter(notices, deadline, new CompletableFuture<>());
    boolean sendNow = false;
    synchronized (problems) {
      Problem problem = problems.computeIfAbsent(workflowId, id -> new Problem());
      problem.waiting.add(waiter);
      if (problem.inFlight == 0) {
        if (windowNanos == 0) {
          sendNow = true;
        } else if (!problem.windowTimer) {
          problem.windowTimer = true;
          schedule(workflowId, Wake.WINDOW, windowNanos);
        }
      } else if (!problem.patienceTimer) {
        problem.patienceTimer = true;
        schedule(
            workflowId, Wake.PATIENCE, problem.lastSentNanos + patienceNanos - System.nanoTime());
      }
    }
    if (sendNow) {
      flush(workflowId, Wake.NOW);
    }
    return waiter.accepted;
  }

  /** Why a flush runs: a request or a completion (send now), or one of the two timers. */
  private enum Wake {
    NOW,
    WINDOW,
    PATIENCE
  }

  private void schedule(String workflowId, Wake wake, long nanos) {
    // The timer only wakes the flush; building the payloads is not done on its one thread.
    timer.schedule(
        () -> flushing.execute(() -> flush(workflowId, wake)),
        Math.max(0, nanos),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Sends what waits for the problem. Woken by its patience timer, it sends even while the
   * problem's previous signal is in flight, once {@code patience} passed since that one was sent:
   * on a slow frontend a second signal goes alongside, so that waiting in line does not spend the
   * requests' deadline.
   */
  private void flush(String workflowId, Wake wake) {
    List<Waiter> batch;
    synchronized (problems) {
      Problem problem = problems.get(workflowId);
      if (problem == null) {
        return; // a timer of a problem that was done with meanwhile
      }
      if (wake == Wake.WINDOW) {
        problem.windowTimer = false;
      } else if (wake == Wake.PATIENCE) {
        problem.patienceTimer = false;
      }
      if (problem.waiting.isEmpty()) {
        return;
      }
      long waited = System.nanoTime() - problem.lastSentNanos;
      if (problem.inFlight > 0 && wake != Wake.NOW) {
        if (waited < patienceNanos || wake == Wake.WINDOW) {
          // The completion of the signal in flight sends them, or the patience timer does.
          if (!problem.patienceTimer) {
            problem.patienceTimer = true;
            schedule(workflowId, Wake.PATIENCE, patienceNanos - waited);
          }
          return;
        }
      }
      problem.inFlight++;
      problem.lastSentNanos = System.nanoTime();
      batch = new ArrayList<>(problem.waiting);
      problem.waiting.clear();
    }
    Deadline latest = batch.get(0).deadline;
    List<RemediationRequest> notices = new ArrayList<>();
    for (Waiter w : batch) {
      notices.addAll(w.notices);
      latest = w.deadline.isBefore(latest) ? latest : w.deadline;
    }
    List<CompletableFuture<DispatchResult>> signals = new ArrayList<>();
    for (List<RemediationRequest> chunk : chunks(notices)) {
      CompletableFuture<DispatchResult> signal;
      try {
        signal = send.apply(chunk, latest);
      } catch (RuntimeException e) {
        signal = CompletableFuture.failedFuture(e);
      }
      signals.add(signal);
    }
    CompletableFuture.allOf(signals.toArray(CompletableFuture[]::new))
        .whenComplete(
            (done, failed) -> {
              for (Waiter w : batch) {
                if (failed == null) {
                  w.accepted.complete(signals.get(0).join());
                } else {
                  w.accepted.completeExceptionally(unwrapped(failed));
                }
              }
              boolean more;
              synchronized (problems) {
                Problem problem = problems.get(workflowId);
                problem.inFlight--;
                more = !problem.waiting.isEmpty();
                if (!more && problem.inFlight == 0) {
                  // Timers still set find no problem and do nothing.
                  problems.remove(workflowId);
                }
              }
              // What came in meanwhile has waited a round trip already: it goes at once.
              if (more) {
                flush(workflowId, Wake.NOW);
              }
            });
  }

  /** Splits a batch so that no signal is over {@link #MAX_NOTICES} or {@link #MAX_CHARS}. */
  static List<List<RemediationRequest>> chunks(List<RemediationRequest> notices) {
    List<List<RemediationRequest>> chunks = new ArrayList<>();
    List<RemediationRequest> current = new ArrayList<>();
    long chars = 0;
    for (RemediationRequest r : notices) {
      long size = size(r);
      if (!current.isEmpty() && (current.size() == MAX_NOTICES || chars + size > MAX_CHARS)) {
        chunks.add(current);
        current = new ArrayList<>();
        chars = 0;
      }
      current.add(r);
      chars += size;
    }
    if (!current.isEmpty()) {
      chunks.add(current);
    }
    return chunks;
  }

  /** About the notice's size as JSON: its labels and annotations, plus room for the rest. */
  private static long size(RemediationRequest r) {
    return 256 + chars(r.alert().labels()) + chars(r.alert().annotations());
  }

  private static long chars(Map<String, String> entries) {
    long chars = 0;
    if (entries != null) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        chars += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length()) + 6;
      }
    }
    return chars;
  }

  private static Throwable unwrapped(Throwable failed) {
    return failed instanceof java.util.concurrent.CompletionException && failed.getCause() != null
        ? failed.getCause()
        : failed;
  }

  /** Problems with notices waiting or a signal in flight (for tests and metrics). */
  int open() {
    synchronized (problems) {
      return problems.size();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    flushing.shutdownNow();
  }

  private static final class Problem {
    final List<Waiter> waiting = new ArrayList<>();
    int inFlight;
    long lastSentNanos;
    boolean windowTimer;
    boolean patienceTimer;
  }

  private record Waiter(
      List<RemediationRequest> notices,
      Deadline deadline,
      CompletableFuture<DispatchResult> accepted) {}
}
