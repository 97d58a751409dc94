package dev.opsflow.bench;

import dev.opsflow.bench.bare.BareWorker;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Benchmark 2: an alert storm. Many notifications (each its own episode) for a few problems must
 * end as exactly one run per problem, counted through the client (ListOpenWorkflowExecutions and
 * ListClosedWorkflowExecutions); the time to absorb runs from the first send until every run has
 * taken in every notice. Then many episodes for ONE problem: the run must stay open and answer, and
 * its history length is reported. Bare pair: the same signal-with-starts to bare workflows.
 */
final class AlertStorm {
  static final String NAME = "2 alert storm";
  private static final int IN_FLIGHT = 32;

  /** Temporal warns at this many history events and fails a run at 51,200. */
  static final int HISTORY_WARN_LIMIT = 10_240;

  private AlertStorm() {}

  static void round(BenchContext ctx, int round) throws InterruptedException {
    Results results = ctx.results();
    Sizes sizes = ctx.sizes();
    try (BenchStack stack = BenchStack.start(ctx.sandbox(), BenchStack.Policy.PARKED);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      ExecutorService callers = Executors.newFixedThreadPool(IN_FLIGHT);
      Runs runs = new Runs(stack.client());
      try {
        // Many problems.
        int problems = sizes.stormProblems();
        int notices = sizes.stormNotices();
        String prefix = "storm-r" + round + "-p";
        Progress.say("  " + notices + " notifications for " + problems + " problems: opsflow");
        Set<String> ids = new LinkedHashSet<>();
        Absorbed ours =
            absorb(
                notices,
                i ->
                    alertmanager
                        .send(Alertmanager.consumerLag(prefix + (i % problems)))
                        .thenApply(
                            r -> {
                              synchronized (ids) {
                                ids.add(Alertmanager.workflowOf(r));
                              }
                              return true;
                            }),
                () -> List.copyOf(ids),
                id -> runs.query(id, "status").path("notices").asInt());
        // Each round has its own Temporal service: every remediation in it is from this storm.
        String idPrefix = "heal-";
        int open = runs.open(idPrefix).size();
        int closed = runs.closed(idPrefix).size();
        Progress.say(
            "    opsflow: "
                + open
                + " open runs, "
                + closed
                + " closed, absorbed in "
                + Results.format(ours.seconds)
                + " s");
        if (open + closed != problems) {
          results.finding(
              NAME
                  + ": "
                  + notices
                  + " notifications for "
                  + problems
                  + " problems made "
                  + (open + closed)
                  + " runs ("
                  + open
                  + " open, "
                  + closed
                  + " closed)");
        }

        String barePrefix = "bare-storm-r" + round + "-p";
        Progress.say("  " + notices + " signal-with-starts for " + problems + " problems: bare");
        Absorbed bare =
            absorb(
                notices,
                signalWithStart(stack, callers, i -> barePrefix + (i % problems)),
                () ->
                    java.util.stream.IntStream.range(0, problems)
                        .mapToObj(p -> barePrefix + p)
                        .toList(),
                id -> runs.query(id, "notices").asInt());
        int bareRuns = runs.open(barePrefix).size() + runs.closed(barePrefix).size();
        results
            .figure(NAME, "runs for " + notices + " notices on " + problems + " problems", "runs")
            .goal("exactly " + problems, (o, b) -> o == problems);
        results
            .figure(NAME, "runs for " + notices + " notices on " + problems + " problems", "runs")
            .opsflow(open + closed);
        results
            .figure(NAME, "runs for " + notices + " notices on " + problems + " problems", "runs")
            .bare(bareRuns);
        Figure time = results.figure(NAME, "time to absorb " + notices + " notices", "s");
        time.opsflow(ours.seconds);
        time.bare(bare.seconds);

        // One problem, many episodes.
        int episodes = sizes.oneProblemEpisodes();
        String one = "storm1-r" + round;
        Progress.say("  " + episodes + " episodes for one problem: opsflow");
        String[] id = {null};
        Absorbed single =
            absorb(
                episodes,
                i ->
                    alertmanager
                        .send(Alertmanager.consumerLag(one))
                        .thenApply(
                            r -> {
                              id[0] = Alertmanager.workflowOf(r);
                              return true;
                            }),
                () -> id[0] == null ? List.of() : List.of(id[0]),
                w -> runs.query(w, "status").path("notices").asInt());
        long q0 = System.nanoTime();
        String phase = runs.query(id[0], "status").path("phase").asText();
        double queryMs = (System.nanoTime() - q0) / 1e6;
        WorkflowExecutionInfo info = runs.describe(id[0]);
        boolean healthy =
            info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        Progress.say(
            "    opsflow: run "
                + (healthy ? "open" : info.getStatus())
                + " in "
                + phase
                + ", history "
                + info.getHistoryLength()
                + " events, status query "
                + Results.format(queryMs)
                + " ms, absorbed in "
                + Results.format(single.seconds)
                + " s");

        String bareOne = "bare-storm1-r" + round;
        Progress.say("  " + episodes + " signals for one problem: bare");
        Absorbed bareSingle =
            absorb(
                episodes,
                signalWithStart(stack, callers, i -> bareOne),
                () -> List.of(bareOne),
                w -> runs.query(w, "notices").asInt());
        long bareHistory = runs.describe(bareOne).getHistoryLength();

        Figure history =
            results.figure(
                NAME, "history of one problem after " + episodes + " episodes", "events");
        history.goal(
            "< " + HISTORY_WARN_LIMIT + " (Temporal's warn limit)",
            (o, b) -> o < HISTORY_WARN_LIMIT);
        history.opsflow(info.getHistoryLength());
        history.bare(bareHistory);
        Figure perEpisode =
            results.figure(NAME, "history events per episode (one problem)", "events");
        perEpisode.opsflow((double) info.getHistoryLength() / episodes);
        perEpisode.bare((double) bareHistory / episodes);
        // The webhook coalesces a problem's notices (one signal per request group and per round
        // trip); bare sends one signal per notice, as the webhook did before.
        int signals = runs.events(id[0], EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
        int bareSignals = runs.events(bareOne, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
        Progress.say(
            "    signal events of the one problem's run: opsflow "
                + signals
                + ", bare "
                + bareSignals
                + " for "
                + episodes
                + " notices");
        Figure signalled =
            results.figure(
                NAME, "signal events of one problem after " + episodes + " episodes", "events");
        signalled.opsflow(signals);
        signalled.bare(bareSignals);
        Figure open1 = results.figure(NAME, "one problem's run still open and answering", "yes=1");
        open1.goal("1", (o, b) -> o == 1);
        open1.opsflow(healthy && !phase.isEmpty() ? 1 : 0);
        open1.bare(
            runs.describe(bareOne).getStatus()
                    == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
                ? 1
                : 0);
        Figure oneTime = results.figure(NAME, "time to absorb " + episodes + " episodes", "s");
        oneTime.opsflow(single.seconds);
        oneTime.bare(bareSingle.seconds);
        if (info.getHistoryLength() >= HISTORY_WARN_LIMIT) {
          results.finding(
              NAME
                  + ": one problem's run grew to "
                  + info.getHistoryLength()
                  + " history events after "
                  + episodes
                  + " distinct episodes ("
                  + Results.format((double) info.getHistoryLength() / episodes)
                  + " per episode; bare "
                  + bareHistory
                  + "): every notice is a signal event and the run neither coalesces notices nor"
                  + " continues as new, so a long storm reaches Temporal's 51,200-event limit");
        }
      } finally {
        callers.shutdownNow();
      }
    }
  }

  private record Absorbed(double seconds) {}

  /**
   * Sends {@code count} notices with {@link #IN_FLIGHT} at a time, then waits until the runs named
   * by {@code runs} report {@code count} notices between them.
   */
  private static Absorbed absorb(
      int count,
      IntFunction<CompletableFuture<Boolean>> send,
      java.util.function.Supplier<List<String>> runs,
      ToIntFunction<String> noticesOf)
      throws InterruptedException {
    long start = System.nanoTime();
    ClosedLoop.Outcome sent = ClosedLoop.run(count, IN_FLIGHT, send);
    if (sent.failed() > 0) {
      throw new IllegalStateException(
          sent.failed() + " of " + count + " notices not accepted: " + sent.firstError());
    }
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (true) {
      int taken = 0;
      for (String id : runs.get()) {
        taken += noticesOf.applyAsInt(id);
      }
      if (taken >= count) {
        return new Absorbed((System.nanoTime() - start) / 1e9);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "after 300 s the runs had taken in " + taken + " of " + count + " notices");
      }
      Thread.sleep(50);
    }
  }

  private static IntFunction<CompletableFuture<Boolean>> signalWithStart(
      BenchStack stack, ExecutorService callers, java.util.function.IntFunction<String> idOf) {
    return i ->
        CompletableFuture.supplyAsync(
            () -> {
              String id = idOf.apply(i);
              try {
                stack
                    .client()
                    .newUntypedWorkflowStub(
                        "BareWorkflow",
                        WorkflowOptions.newBuilder()
                            .setTaskQueue(BareWorker.TASK_QUEUE)
                            .setWorkflowId(id)
                            .build())
                    .signalWithStart("notice", new Object[] {"e" + i}, new Object[] {1, 3600L});
              } catch (WorkflowExecutionAlreadyStarted race) {
                // Two signal-with-starts of one new ID at once: the service may answer the loser
                // "already started"; as opsflow's dispatcher does, signal the winner instead.
                stack
                    .client()
                    .newUntypedWorkflowStub(id, Optional.empty(), Optional.empty())
                    .signal("notice", "e" + i);
              }
              return true;
            },
            callers);
  }
}
