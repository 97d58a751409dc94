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
 * 3-activity workflows started at once on the same service and process.
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
        Progress.say("  " + n + " bare 3-activity workflows at once");
        List<CompletableFuture<Integer>> bareResults = new ArrayList<>();
        long bareStart = System.nanoTime();
        ClosedLoop.Outcome bareSent =
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
                                      "BareWorkflow",
                                      WorkflowOptions.newBuilder()
                                          .setTaskQueue(BareWorker.TASK_QUEUE)
                                          .setWorkflowId("bare-sat-r" + round + "-" + i)
                                          .build());
                          stub.start(3, 0L);
                          synchronized (bareResults) {
                            bareResults.add(stub.getResultAsync(Integer.class));
                          }
                          return true;
                        },
                        callers));
        if (bareSent.failed() > 0) {
          throw new IllegalStateException(bareSent.firstError());
        }
        CompletableFuture.allOf(bareResults.toArray(CompletableFuture[]::new))
            .get(600, TimeUnit.SECONDS);
        double bareSeconds = (System.nanoTime() - bareStart) / 1e9;
        int bareActivities = 3 * n;
        int localPerRound = local;
        activities += local;

        Progress.say(
            String.format(
                java.util.Locale.ROOT,
                "    opsflow %.1f remediations/s, %.0f activities/s (%.1f per run, %.1f of them local);"
                    + " bare %.1f"
                    + " workflows/s, %.0f activities/s",
                n / seconds,
                activities / seconds,
                (double) activities / n,
                (double) localPerRound / n,
                n / bareSeconds,
                bareActivities / bareSeconds));
        Figure runsPerSecond = results.figure(NAME, "remediations (runs) per second", "/s");
        runsPerSecond.goal(">= 0.8x bare", (o, b) -> o >= 0.8 * b);
        runsPerSecond.opsflow(n / seconds);
        runsPerSecond.bare(n / bareSeconds);
        Figure activitiesPerSecond = results.figure(NAME, "activities per second", "/s");
        activitiesPerSecond.goal(">= 0.8x bare", (o, b) -> o >= 0.8 * b);
        activitiesPerSecond.opsflow(activities / seconds);
        activitiesPerSecond.bare(bareActivities / bareSeconds);
        Figure perRun = results.figure(NAME, "activities per run", "");
        perRun.opsflow((double) activities / n);
        perRun.bare(3);
      } finally {
        callers.shutdownNow();
        CrashLoops.remove(ctx.kubernetes(), names);
      }
    }
  }
}
