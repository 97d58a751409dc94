package dev.opsflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.bench.bare.BareWorker;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Benchmark 3: one remediation at a time, end to end: a crash-loop alert posted to the webhook ->
 * rollout restart applied on the sandbox's Kubernetes API -> verified -> the run's result, with
 * settle, confirm and cooldown waits at zero. Paired with the bare 3-activity workflow's start ->
 * result. Each run's result must be FIXED and the Deployment must carry the restart.
 */
final class RemediationEndToEnd {
  static final String NAME = "3 remediation end to end";

  /** The seed engine's quote, per action: 150 ms average, 500 ms p99; MTTR under 5 minutes. */
  static final double SEED_AVERAGE_MS = 150;

  static final double SEED_P99_MS = 500;
  static final double MTTR_GOAL_MS = 5 * 60 * 1000;

  private RemediationEndToEnd() {}

  static void round(BenchContext ctx, int round) throws Exception {
    Results results = ctx.results();
    int n = ctx.sizes().endToEnd();
    List<String> names = IntStream.range(0, n).mapToObj(i -> "e2e-r" + round + "-" + i).toList();
    CrashLoops.seed(ctx.kubernetes(), names);
    Samples ours = new Samples();
    Samples bare = new Samples();
    try (BenchStack stack = BenchStack.start(ctx.sandbox(), BenchStack.Policy.ZERO_WAITS);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      // One unmeasured run of each warms the JIT and the connections.
      CrashLoops.seed(ctx.kubernetes(), List.of("e2e-warm-r" + round));
      remediate(stack, alertmanager, ctx, "e2e-warm-r" + round);
      bareRun(stack, "bare-e2e-warm-r" + round);
      Progress.say("  " + n + " remediations one after another: opsflow and bare, alternating");
      List<Long> took = new java.util.ArrayList<>();
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        long nanos = remediate(stack, alertmanager, ctx, names.get(i), ids);
        took.add(nanos);
        ours.addNanos(nanos);
        bare.addNanos(bareRun(stack, "bare-e2e-r" + round + "-" + i));
      }
      int median =
          IntStream.range(0, n)
              .boxed()
              .sorted((a, b) -> Long.compare(took.get(a), took.get(b)))
              .toList()
              .get(n / 2);
      Progress.say("    where the median run's time went (largest gaps between history events):");
      HistoryGaps.largest(stack.client().fetchHistory(ids.get(median)), 6)
          .forEach(line -> Progress.say("      " + line));
    } finally {
      CrashLoops.remove(
          ctx.kubernetes(),
          java.util.stream.Stream.concat(
                  names.stream(), java.util.stream.Stream.of("e2e-warm-r" + round))
              .toList());
    }
    Progress.say(
        String.format(
            java.util.Locale.ROOT,
            "    opsflow p50 %.0f ms p99 %.0f ms mean %.0f ms; bare p50 %.1f ms p99 %.1f ms",
            ours.p50(),
            ours.p99(),
            ours.mean(),
            bare.p50(),
            bare.p99()));
    Figure p50 = results.figure(NAME, "p50 alert -> applied -> verified", "ms");
    p50.goal("<= 3x bare p50", (o, b) -> o <= 3 * b);
    p50.opsflow(ours.p50());
    p50.bare(bare.p50());
    Figure p99 = results.figure(NAME, "p99 alert -> applied -> verified", "ms");
    p99.goal("<= 500 ms (seed engine's p99 per action)", (o, b) -> o <= SEED_P99_MS);
    p99.opsflow(ours.p99());
    p99.bare(bare.p99());
    Figure mean = results.figure(NAME, "mean alert -> applied -> verified", "ms");
    mean.goal("<= 150 ms (seed engine's average per action)", (o, b) -> o <= SEED_AVERAGE_MS);
    mean.opsflow(ours.mean());
    mean.bare(bare.mean());
    Figure mttr = results.figure(NAME, "max (worst time to repair)", "ms");
    mttr.goal("< 5 min (MTTR goal)", (o, b) -> o < MTTR_GOAL_MS);
    mttr.opsflow(ours.max());
    mttr.bare(bare.max());
    for (double v : ours.sorted()) {
      results.distribution(LatencyChart.series("remediation", LatencyChart.OPSFLOW)).addMillis(v);
    }
    for (double v : bare.sorted()) {
      results.distribution(LatencyChart.series("remediation", LatencyChart.BARE)).addMillis(v);
    }
  }

  /** Posts the alert and waits for the run's result; returns the nanoseconds it took. */
  static long remediate(
      BenchStack stack, Alertmanager alertmanager, BenchContext ctx, String deployment)
      throws Exception {
    return remediate(stack, alertmanager, ctx, deployment, new java.util.ArrayList<>());
  }

  /** The same, adding the run's workflow ID to {@code ids}. */
  static long remediate(
      BenchStack stack,
      Alertmanager alertmanager,
      BenchContext ctx,
      String deployment,
      List<String> ids)
      throws Exception {
    long start = System.nanoTime();
    String id =
        Alertmanager.workflowOf(alertmanager.send(Alertmanager.crashLoop(deployment)).get());
    ids.add(id);
    JsonNode outcome = resultOf(stack, id);
    long took = System.nanoTime() - start;
    requireFixed(ctx, deployment, id, outcome);
    return took;
  }

  static JsonNode resultOf(BenchStack stack, String id) throws Exception {
    return stack
        .client()
        .newUntypedWorkflowStub(id, Optional.empty(), Optional.empty())
        .getResult(120, TimeUnit.SECONDS, JsonNode.class);
  }

  static void requireFixed(BenchContext ctx, String deployment, String id, JsonNode outcome) {
    if (!"FIXED".equals(outcome.path("result").asText())) {
      throw new IllegalStateException(id + " ended " + outcome);
    }
    if (!CrashLoops.restarted(ctx.kubernetes(), deployment)) {
      throw new IllegalStateException(id + " says FIXED but " + deployment + " was not restarted");
    }
  }

  /** Starts the bare 3-activity workflow and waits for its result. */
  static long bareRun(BenchStack stack, String id) throws Exception {
    long start = System.nanoTime();
    WorkflowStub stub =
        stack
            .client()
            .newUntypedWorkflowStub(
                "BareWorkflow",
                WorkflowOptions.newBuilder()
                    .setTaskQueue(BareWorker.TASK_QUEUE)
                    .setWorkflowId(id)
                    .build());
    stub.start(3, 0L);
    stub.getResult(60, TimeUnit.SECONDS, Integer.class);
    return System.nanoTime() - start;
  }
}
