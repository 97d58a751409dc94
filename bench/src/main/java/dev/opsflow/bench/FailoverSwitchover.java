package dev.opsflow.bench;

import dev.opsflow.bench.bare.BareWorker;
import dev.opsflow.bench.bare.BareWorkflow;
import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStatus;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.dev.DevSandbox;
import dev.opsflow.sandbox.postgres.PostgresPair;
import dev.opsflow.sandbox.postgres.PostgresPair.Member;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 6: a switchover of a real PostgreSQL primary and streaming replica (a fresh pair each
 * round, since a switchover leaves the old primary fenced) while a client keeps inserting rows: the
 * run's total time from start to result (approved at once), the write-unavailability window the run
 * reports (fence to the Service naming the new primary), and the longest gap the client saw between
 * two commits. Paired with the bare workflow running as many no-op activities as the switchover
 * ran. Goal: write unavailability under 5 s (Patroni's switchovers take a few seconds).
 */
final class FailoverSwitchover {
  static final String NAME = "6 failover switchover";
  static final String CLUSTER = "bench";
  static final String APPROVER = "bench-approver";
  static final double WINDOW_GOAL_MS = 5_000;

  private FailoverSwitchover() {}

  static void round(BenchContext ctx, int round) throws Exception {
    String namespace = "bench-db-r" + round;
    var kube = ctx.kubernetes();
    kube.client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    kube.client()
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "db", "role", "primary"))
                .addNewPort()
                .withPort(5432)
                .endPort()
                .endSpec()
                .build())
        .create();
    kube.seedDatabasePods(namespace, "db-0", "db-1");
    Map<String, String> settings = new java.util.LinkedHashMap<>(ctx.sandbox());
    settings.put(
        "KUBERNETES_ALLOWED_NAMESPACES",
        settings.getOrDefault("KUBERNETES_ALLOWED_NAMESPACES", "") + "," + namespace);
    Progress.say("  a fresh primary and replica for round " + round);
    try (PostgresPair pair = PostgresPair.start();
        BenchStack stack =
            BenchStack.start(
                settings,
                BenchStack.Policy.ZERO_WAITS,
                config ->
                    DevSandbox.withFailoverCluster(
                        config, APPROVER, CLUSTER, namespace, pair, "db-0", "db-1"))) {
      Writer writer = new Writer(pair);
      Thread thread = new Thread(writer, "bench-writer");
      thread.start();
      FailoverStatus done;
      long nanos;
      try {
        writer.awaitCommits(50);
        long start = System.nanoTime();
        FailoverDoor.start(
            stack.client(),
            dev.opsflow.workflows.TaskQueues.OPERATIONS,
            new FailoverRequest(
                CLUSTER,
                FailoverMode.SWITCHOVER,
                null,
                new RunEnvelope("critical", null, "bench-operator", null),
                null));
        PostgresFailover run =
            stack
                .client()
                .newWorkflowStub(PostgresFailover.class, FailoverRequest.workflowId(CLUSTER));
        approveWhenAsked(run);
        done = WorkflowStub.fromTyped(run).getResult(FailoverStatus.class);
        nanos = System.nanoTime() - start;
      } finally {
        writer.stop();
        thread.join(10_000);
      }
      if (done.outcome() != FailoverOutcome.COMPLETED || done.writeUnavailableMillis() == null) {
        throw new IllegalStateException(
            "the switchover ended " + done.outcome() + ": " + done.nextManualStep());
      }
      int activities = activitiesOf(stack, FailoverRequest.workflowId(CLUSTER));
      long bareStart = System.nanoTime();
      stack
          .client()
          .newWorkflowStub(
              BareWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(BareWorker.TASK_QUEUE)
                  .setWorkflowId("bare-failover-r" + round)
                  .build())
          .run(activities, 0);
      double bareMillis = (System.nanoTime() - bareStart) / 1e6;
      double totalMillis = nanos / 1e6;
      Progress.say(
          String.format(
              Locale.ROOT,
              "    switchover %.0f ms, write unavailability %d ms (client's longest gap %d ms,"
                  + " %d commits, %d refused); bare %d activities %.0f ms",
              totalMillis,
              done.writeUnavailableMillis(),
              writer.longestGapMillis(),
              writer.commits.get(),
              writer.refused.get(),
              activities,
              bareMillis));
      Results results = ctx.results();
      Figure total = results.figure(NAME, "switchover start -> result (approved at once)", "ms");
      total.opsflow(totalMillis);
      total.bare(bareMillis);
      Figure window = results.figure(NAME, "write unavailability (fence -> repointed)", "ms");
      window.goal("< 5 s (Patroni: a few seconds)", (o, b) -> o < WINDOW_GOAL_MS);
      window.opsflow(done.writeUnavailableMillis());
      Figure gap = results.figure(NAME, "client's longest gap between commits", "ms");
      gap.goal("< 5 s", (o, b) -> o < WINDOW_GOAL_MS);
      gap.opsflow(writer.longestGapMillis());
    }
  }

  private static void approveWhenAsked(PostgresFailover run) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (run.progress().waitingFor().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the switchover never asked for approval");
      }
      Thread.sleep(20);
    }
    run.approveChecked(new Decision(APPROVER, "bench"));
  }

  /** How many activities the run scheduled: the bare workflow runs as many. */
  private static int activitiesOf(BenchStack stack, String workflowId) {
    return (int)
        stack.client().fetchHistory(workflowId).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
            .count();
  }

  /**
   * A client inserting rows one by one into whichever member takes writes, as an application behind
   * the Service would after the repoint: refused writes (the fence) move it to the other member.
   */
  private static final class Writer implements Runnable {
    private final PostgresPair pair;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong commits = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastCommitNanos = new AtomicLong();
    private final AtomicLong longestGapNanos = new AtomicLong();

    Writer(PostgresPair pair) {
      this.pair = pair;
    }

    void stop() {
      running.set(false);
    }

    long longestGapMillis() {
      return longestGapNanos.get() / 1_000_000;
    }

    void awaitCommits(long n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (commits.get() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the writer could not commit " + n + " rows");
        }
        Thread.sleep(10);
      }
    }

    @Override
    public void run() {
      try (Connection c = pair.dataSource(Member.PRIMARY).getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS bench_writes (id bigint PRIMARY KEY)");
      } catch (SQLException e) {
        throw new IllegalStateException("could not prepare the writer's table", e);
      }
      Member target = Member.PRIMARY;
      long id = 0;
      while (running.get()) {
        try (Connection c = pair.dataSource(target).getConnection();
            PreparedStatement insert = c.prepareStatement("INSERT INTO bench_writes VALUES (?)")) {
          while (running.get()) {
            insert.setLong(1, ++id);
            insert.executeUpdate();
            long now = System.nanoTime();
            long last = lastCommitNanos.getAndSet(now);
            if (last != 0) {
              longestGapNanos.accumulateAndGet(now - last, Math::max);
            }
            commits.incrementAndGet();
          }
        } catch (SQLException e) {
          // Read-only (fenced), in recovery or not reachable: try the other member next.
          refused.incrementAndGet();
          target = target == Member.PRIMARY ? Member.REPLICA : Member.PRIMARY;
          try {
            Thread.sleep(5);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }
}
