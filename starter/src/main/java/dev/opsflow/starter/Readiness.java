package dev.opsflow.starter;

import io.grpc.StatusRuntimeException;
import io.javalin.http.Context;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code GET /readyz}: whether this starter can do its work, that is whether the Temporal frontend
 * answers (GetSystemInfo, within {@code http.temporalDeadline}). {@code /healthz} stays the
 * liveness check (the process serves HTTP), so a Temporal outage takes the starter out of the
 * Service without the kubelet restarting it. The answer is kept for {@link #CACHE_MILLIS}, so
 * probes (or anyone who can reach the port) cannot turn it into a flood of calls on Temporal.
 */
public final class Readiness {
  public static final long CACHE_MILLIS = 2_000;

  private final WorkflowClient client;
  private final Duration deadline;
  private final LongSupplier clockMillis;
  private Answer last;

  /** A reading: ready or not, why, and when it was taken. */
  record Answer(boolean ready, String reason, long atMillis) {}

  public Readiness(WorkflowClient client, Duration deadline, LongSupplier clockMillis) {
    this.client = client;
    this.deadline = deadline;
    this.clockMillis = clockMillis;
  }

  public void handle(Context ctx) {
    Answer answer = answer();
    if (answer.ready()) {
      ctx.result("ok");
    } else {
      ctx.status(503).json(Map.of("error", answer.reason()));
    }
  }

  /** The cached answer, or a new one when it is older than {@link #CACHE_MILLIS}. */
  synchronized Answer answer() {
    long now = clockMillis.getAsLong();
    if (last == null || now - last.atMillis() >= CACHE_MILLIS) {
      last = probe(now);
    }
    return last;
  }

  private Answer probe(long now) {
    try {
      client
          .getWorkflowServiceStubs()
          .blockingStub()
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return new Answer(true, "", now);
    } catch (StatusRuntimeException e) {
      return new Answer(
          false,
          "Temporal is unreachable ("
              + e.getStatus().getCode()
              + " within "
              + deadline.toMillis()
              + " ms); the starter cannot accept alerts now",
          now);
    }
  }
}
