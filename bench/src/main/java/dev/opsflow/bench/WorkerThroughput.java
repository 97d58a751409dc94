package dev.opsflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.bench.bare.BareWorker;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Benchmark 4: the worker at saturation. Many crash-loop remediations posted at once (zero waits,
 * the governor admitting up to its maximum), from the first post to the last result: remediations
 * and activities per second (activities counted in each run's history). Paired with as many bare
 * workflows of the same activity mix (the opsflow runs' local and normal activities per run, as
 * counted) started at once on the same service and process, then, for comparison with runs before,
 * as many bare 3-activity workflows.
 */
final class WorkerThroughput {
  static final String NAME = "4 worker throughput";
  private static final int IN_FLIGHT = 32;

  private WorkerThroughput() {}

  static void round(BenchContext ctx, int round) throws Exception {
    Results results = ctx.results();
    int n = ctx.sizes().saturation();
    List<String> names = IntStream.range(0, n).mapToObj(i -> "sat-r" + round + "-" + i).toList();
    CrashLoops.seed(ctx.kubernetes(), names);
    try (BenchStack stack = BenchStack.start(ctx.sandbox(), BenchStack.Policy.ZERO_WAITS);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      ExecutorService callers = Executors.newFixedThreadPool(IN_FLIGHT);
      try {
        Runs runs = new Runs(stack.client());
        Progress.say("  " + n + " remediations at once: opsflow");
        Map<String, String> idByDeployment = new ConcurrentHashMap<>();
        List<CompletableFuture<JsonNode>> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        ClosedLoop.Outcome sent =
            ClosedLoop.run(
                n,
                IN_FLIGHT,
                i ->
                    alertmanager
                        .send(Alertmanager.crashLoop(names.get(i)))
                        .thenApply(
                            r -> {
                              String id = Alertmanager.workflowOf(r);
                              idByDeployment.put(names.get(i), id);
                              synchronized (outcomes) {
                                outcomes.add(
                                    stack
                                        .client()
                                        .newUntypedWorkflowStub(
                                            id, Optional.empty(), Optional.empty())
                                        .getResultAsync(JsonNode.class));
                              }
                              return true;
                            }));
        if (sent.failed() > 0) {
          throw new IllegalStateException(sent.failed() + " alerts refused: " + sent.firstError());
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
            .get(600, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        int activities = 0;
        int local = 0;
        for (String name : names) {
          String id = idByDeployment.get(name);
          RemediationEndToEnd.requireFixed(ctx, name, id, RemediationEndToEnd.resultOf(stack, id));
          activities += runs.events(id, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
          // A local activity is an activity too (a read run inside the workflow task).
          local += runs.localActivities(id);
        }

        Progress.say("    where the run in the middle of the burst spent its time:");
        HistoryGaps.largest(stack.client().fetchHistory(idByDeployment.get(names.get(n / 2))), 6)
            .forEach(line -> Progress.say("      " + line));
        int normal = activities;
        int localPerRun = Math.round((float) local / n);
        int normalPerRun = Math.round((float) normal / n);
        Progress.say(
            "  "
                + n
                + " bare workflows at once, each with the opsflow runs' mix: "
                + localPerRun
                + " local and "
                + normalPerRun
                + " normal no-op activities");
        double mixSeconds =
            bareBurst(
                stack,
                callers,
                n,
                "bare-mix-r" + round + "-",
                "BareMixWorkflow",
                localPerRun,
                normalPerRun);
        int mixActivities = (localPerRun + normalPerRun) * n;
        Progress.say(
            "  " + n + " bare 3-activity workflows at once (the yardstick of runs before)");
        double bareSeconds =
            bareBurst(stack, callers, n, "bare-sat-r" + round + "-", "BareWorkflow", 3, 0L);
        activities += local;

        Progress.say(
            String.format(
                java.util.Locale.ROOT,
                "    opsflow %.1f remediations/s, %.0f activities/s (%.1f per run, %.1f of them local);"
                    + " bare of the same mix %.1f workflows/s, %.0f activities/s;"
                    + " bare 3-activity %.1f workflows/s",
                n / seconds,
                activities / seconds,
                (double) activities / n,
                (double) local / n,
                n / mixSeconds,
                mixActivities / mixSeconds,
                n / bareSeconds));
        Figure runsPerSecond = results.figure(NAME, "remediations (runs) per second", "/s");
        runsPerSecond.goal(">= 0.8x bare", (o, b) -> o >= 0.8 * b);
        runsPerSecond.opsflow(n / seconds);
        runsPerSecond.bare(n / mixSeconds);
        Figure activitiesPerSecond = results.figure(NAME, "activities per second", "/s");
        activitiesPerSecond.goal(">= 0.8x bare", (o, b) -> o >= 0.8 * b);
        activitiesPerSecond.opsflow(activities / seconds);
        activitiesPerSecond.bare(mixActivities / mixSeconds);
        Figure perRun = results.figure(NAME, "activities per run", "");
        perRun.opsflow((double) activities / n);
        perRun.bare(localPerRun + normalPerRun);
        Figure perRunLocal = results.figure(NAME, "local activities per run", "");
        perRunLocal.opsflow((double) local / n);
        perRunLocal.bare(localPerRun);
        Figure threeActivity =
            results.figure(NAME, "remediations per second against bare 3-activity workflows", "/s");
        threeActivity.opsflow(n / seconds);
        threeActivity.bare(n / bareSeconds);
      } finally {
        callers.shutdownNow();
        CrashLoops.remove(ctx.kubernetes(), names);
      }
    }
  }

  /**
   * Starts {@code n} bare workflows of {@code type} at once; seconds from first start to last
   * result.
   */
  private static double bareBurst(
      BenchStack stack,
      ExecutorService callers,
      int n,
      String idPrefix,
      String type,
      Object... args)
      throws Exception {
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    long start = System.nanoTime();
    ClosedLoop.Outcome sent =
        ClosedLoop.run(
            n,
            IN_FLIGHT,
            i ->
                CompletableFuture.supplyAsync(
                    () -> {
                      WorkflowStub stub =
                          stack
                              .client()
                              .newUntypedWorkflowStub(
                                  type,
                                  WorkflowOptions.newBuilder()
                                      .setTaskQueue(BareWorker.TASK_QUEUE)
                                      .setWorkflowId(idPrefix + i)
                                      .build());
                      stub.start(args);
                      synchronized (results) {
                        results.add(stub.getResultAsync(Integer.class));
                      }
                      return true;
                    },
                    callers));
    if (sent.failed() > 0) {
      throw new IllegalStateException(sent.firstError());
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
    return (System.nanoTime() - start) / 1e9;
  }
}
