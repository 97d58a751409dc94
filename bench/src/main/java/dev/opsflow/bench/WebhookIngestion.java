package dev.opsflow.bench;

import dev.opsflow.bench.bare.BareWorker;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Benchmark 1: Alertmanager notifications at fixed rates, open loop, over loopback HTTP to the
 * starter's webhook; each for a new problem, so each 202 includes Temporal accepting a
 * signal-with-start. Paired with the bare call the webhook makes underneath: a signal-with-start of
 * the bare workflow through the same client, at the same rates, from a pool of threads as large as
 * the starter's share of work needs.
 */
final class WebhookIngestion {
  static final String NAME = "1 webhook ingestion";
  private static final int GOAL_RATE = 500;

  private WebhookIngestion() {}

  static void round(BenchContext ctx, int round) throws InterruptedException {
    Results results = ctx.results();
    int rateCount = ctx.sizes().rates().size();
    try (BenchStack stack = BenchStack.start(ctx.sandbox(), BenchStack.Policy.PARKED);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      ExecutorService callers = Executors.newFixedThreadPool(64);
      try {
        warmUp(stack, alertmanager, callers, round, ctx.sizes().warmUp());
        for (int r = 0; r < rateCount; r++) {
          int rate = ctx.sizes().rates().get(r);
          int count = Math.max(1, (int) Math.round(rate * ctx.sizes().ingestSeconds()));
          // Alternate which goes first, so neither always meets the other's leftovers.
          boolean opsflowFirst = (round + r) % 2 == 1;
          for (int side = 0; side < 2; side++) {
            if ((side == 0) == opsflowFirst) {
              record(results, rate, true, opsflow(alertmanager, round, rate, count), "");
            } else {
              record(results, rate, false, bare(stack, callers, round, rate, count), "");
            }
            // Let the worker take the parked runs' first tasks before the next phase.
            Thread.sleep(ctx.sizes().pauseMillis());
          }
        }
      } finally {
        callers.shutdownNow();
      }
    }
    starterAlone(ctx, round);
  }

  /**
   * The goal's rate again on a stack where no worker polls (neither opsflow's nor bare's), so the
   * runs started are not executed during the burst: what the starter's path costs over the bare
   * call when the workers' work does not share the CPU with it, as when starter and workers run on
   * machines of their own. A diagnosis beside the goal's figure, not a replacement for it.
   */
  private static void starterAlone(BenchContext ctx, int round) throws InterruptedException {
    int rate = GOAL_RATE;
    if (!ctx.sizes().rates().contains(rate)) {
      return;
    }
    int count = Math.max(1, (int) Math.round(rate * ctx.sizes().ingestSeconds()));
    Results results = ctx.results();
    try (BenchStack stack = BenchStack.withoutWorker(ctx.sandbox(), BenchStack.Policy.PARKED);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      ExecutorService callers = Executors.newFixedThreadPool(64);
      try {
        Progress.say("  the same at " + rate + "/s with no worker running (the starter alone)");
        warmUp(stack, alertmanager, callers, round, ctx.sizes().warmUp());
        boolean opsflowFirst = round % 2 == 0;
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == opsflowFirst) {
            record(
                results,
                rate,
                true,
                opsflow(alertmanager, round + 1000, rate, count),
                STARTER_ALONE);
          } else {
            record(
                results,
                rate,
                false,
                bare(stack, callers, round + 1000, rate, count),
                STARTER_ALONE);
          }
          Thread.sleep(ctx.sizes().pauseMillis());
        }
      } finally {
        callers.shutdownNow();
      }
    }
  }

  static final String STARTER_ALONE = ", no worker running";

  private static void warmUp(
      BenchStack stack, Alertmanager alertmanager, ExecutorService callers, int round, int count)
      throws InterruptedException {
    OpenLoop.run(
        50,
        count,
        i ->
            alertmanager
                .send(Alertmanager.consumerLag("warm-r" + round + "-" + i))
                .thenApply(r -> r.statusCode() == 202));
    OpenLoop.run(50, count, i -> bareStart(stack, callers, "bare-warm-r" + round + "-" + i));
  }

  private static OpenLoop.Outcome opsflow(Alertmanager alertmanager, int round, int rate, int count)
      throws InterruptedException {
    Progress.say("  " + rate + "/s for " + count + " notifications: opsflow webhook");
    return OpenLoop.run(
        rate,
        count,
        i ->
            alertmanager
                .send(Alertmanager.consumerLag("in-r" + round + "-" + rate + "-" + i))
                .thenApply(r -> r.statusCode() == 202));
  }

  private static OpenLoop.Outcome bare(
      BenchStack stack, ExecutorService callers, int round, int rate, int count)
      throws InterruptedException {
    Progress.say("  " + rate + "/s for " + count + " starts: bare signal-with-start");
    return OpenLoop.run(
        rate, count, i -> bareStart(stack, callers, "bare-in-r" + round + "-" + rate + "-" + i));
  }

  private static CompletableFuture<Boolean> bareStart(
      BenchStack stack, ExecutorService callers, String id) {
    return CompletableFuture.supplyAsync(
        () -> {
          WorkflowStub stub =
              stack
                  .client()
                  .newUntypedWorkflowStub(
                      "BareWorkflow",
                      WorkflowOptions.newBuilder()
                          .setTaskQueue(BareWorker.TASK_QUEUE)
                          .setWorkflowId(id)
                          .build());
          // One activity, then parked an hour: what a lag alert's run does before it confirms.
          stub.signalWithStart("notice", new Object[] {id}, new Object[] {1, 3600L});
          return true;
        },
        callers);
  }

  private static void record(
      Results results, int rate, boolean opsflow, OpenLoop.Outcome o, String condition) {
    String side = opsflow ? LatencyChart.OPSFLOW : LatencyChart.BARE;
    Progress.say(
        String.format(
            java.util.Locale.ROOT,
            "    %s: %d accepted, %d failed, %.0f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
            side,
            o.ok(),
            o.failed(),
            o.acceptedPerSecond(),
            o.latency().p50(),
            o.latency().p99(),
            o.latency().max()));
    if (o.failed() > 0) {
      results.finding(
          NAME
              + ": "
              + side
              + " at "
              + rate
              + "/s"
              + condition
              + ": "
              + o.failed()
              + " of "
              + (o.ok() + o.failed())
              + " not accepted (first: "
              + o.firstError()
              + ")");
    }
    String at = rate + "/s" + condition;
    Figure accepted = results.figure(NAME, "accepted per second at " + at, "/s");
    Figure p50 = results.figure(NAME, "p50 of the answer at " + at, "ms");
    Figure p99 = results.figure(NAME, "p99 of the answer at " + at, "ms");
    Figure max = results.figure(NAME, "max of the answer at " + at, "ms");
    if (rate == GOAL_RATE && condition.isEmpty()) {
      p99.goal("<= 2x bare p99", (ours, bare) -> ours <= 2 * bare);
    }
    if (opsflow) {
      accepted.opsflow(o.acceptedPerSecond());
      p50.opsflow(o.latency().p50());
      p99.opsflow(o.latency().p99());
      max.opsflow(o.latency().max());
    } else {
      accepted.bare(o.acceptedPerSecond());
      p50.bare(o.latency().p50());
      p99.bare(o.latency().p99());
      max.bare(o.latency().max());
    }
    if (!condition.isEmpty()) {
      return;
    }
    Samples merged = results.distribution(LatencyChart.series("ingest " + rate + "/s", side));
    for (double v : o.latency().sorted()) {
      merged.addMillis(v);
    }
  }
}
