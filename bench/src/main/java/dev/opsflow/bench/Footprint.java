package dev.opsflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.bench.bare.BareWorker;
import io.temporal.client.WorkflowOptions;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 5: the worker's footprint with many runs parked in waits, and the CLI's latency. The
 * worker runs as its own process ({@link WorkerProbe}) against a fresh embedded service, with the
 * starter in this process, so the heap measured is the worker's alone: after a full GC, idle and
 * with the runs parked (lag alerts waiting out their one-hour confirmation timer). The bare pair is
 * a process with only the bare worker and as many bare workflows parked in a timer. Then {@code
 * opsflow status ID} is timed as its own JVM (through the {@code opsflow} launcher, as a user runs
 * it), paired with a bare JVM that asks the same kind of query with the SDK alone ({@link
 * BareQuery}).
 */
final class Footprint {
  static final String NAME = "5 footprint and CLI";
  private static final int IN_FLIGHT = 32;
  static final double HEAP_GOAL_MIB = 256;

  static final String GRPC_CLI = "opsflow status ID (own JVM)";
  static final String REST_CLI = "opsflow status ID --api (own JVM, through the REST API)";

  private Footprint() {}

  static void round(BenchContext ctx, int round) throws Exception {
    Results results = ctx.results();
    int parked = ctx.sizes().parked();
    try (BenchStack stack = BenchStack.withoutWorker(ctx.sandbox(), BenchStack.Policy.PARKED);
        Alertmanager alertmanager = new Alertmanager(stack.alertsUrl(), BenchStack.TOKEN)) {
      Runs runs = new Runs(stack.client());
      Map<String, String> env = new java.util.HashMap<>(ctx.sandbox());
      env.putAll(BenchStack.Policy.PARKED.settings);
      env.put("TEMPORAL_ADDRESS", stack.temporalTarget());

      Progress.say("  opsflow worker process: idle, then " + parked + " runs parked");
      String someId;
      JsonNode idle;
      JsonNode loaded;
      try (Probe probe = Probe.start("opsflow", env)) {
        idle = probe.measure();
        List<String> ids = new ArrayList<>();
        ClosedLoop.Outcome sent =
            ClosedLoop.run(
                parked,
                IN_FLIGHT,
                i ->
                    alertmanager
                        .send(Alertmanager.consumerLag("park-r" + round + "-" + i))
                        .thenApply(
                            r -> {
                              synchronized (ids) {
                                ids.add(Alertmanager.workflowOf(r));
                              }
                              return true;
                            }));
        if (sent.failed() > 0) {
          throw new IllegalStateException(sent.firstError());
        }
        for (String id : ids) {
          awaitPhase(runs, id, "status", n -> n.path("phase").asText().equals("CONFIRMING"));
        }
        loaded = probe.measure();
        someId = ids.get(ids.size() / 2);
        Progress.say("    opsflow idle " + idle + ", parked " + loaded);
        // One untimed call first, for both sides: it builds the launcher's class-data archive when
        // the jar is new, which happens once per build, not per call.
        time(1, devCli(ctx, someId), stack.temporalTarget());
        Samples cli = time(ctx.sizes().cliCalls(), devCli(ctx, someId), stack.temporalTarget());
        record(results, GRPC_CLI, cli, true);
        addAll(results, LatencyChart.OPSFLOW, cli);
        List<String> overRest = new ArrayList<>(devCli(ctx, someId));
        overRest.addAll(List.of("--api", stack.starterUrl()));
        Samples rest = time(ctx.sizes().cliCalls(), overRest, stack.temporalTarget());
        record(results, REST_CLI, rest, true);
        figure(results, "worker heap after GC, idle", "MiB", true, idle.path("heapMiB").asDouble());
        figure(
                results,
                "worker heap after GC, " + parked + " runs parked",
                "MiB",
                true,
                loaded.path("heapMiB").asDouble())
            .goal("<= 256 MiB", (o, b) -> o <= HEAP_GOAL_MIB);
        figure(
            results,
            "worker RSS, " + parked + " runs parked",
            "MiB",
            true,
            loaded.path("rssMiB").asDouble());
      }

      Progress.say("  bare worker process: idle, then " + parked + " bare workflows parked");
      try (Probe probe = Probe.start("bare", env)) {
        JsonNode bareIdle = probe.measure();
        ExecutorService callers = Executors.newFixedThreadPool(IN_FLIGHT);
        String prefix = "bare-park-r" + round + "-";
        try {
          ClosedLoop.Outcome sent =
              ClosedLoop.run(
                  parked,
                  IN_FLIGHT,
                  i ->
                      CompletableFuture.supplyAsync(
                          () -> {
                            stack
                                .client()
                                .newUntypedWorkflowStub(
                                    "BareWorkflow",
                                    WorkflowOptions.newBuilder()
                                        .setTaskQueue(BareWorker.TASK_QUEUE)
                                        .setWorkflowId(prefix + i)
                                        .build())
                                .start(1, 3600L);
                            return true;
                          },
                          callers));
          if (sent.failed() > 0) {
            throw new IllegalStateException(sent.firstError());
          }
        } finally {
          callers.shutdownNow();
        }
        for (int i = 0; i < parked; i++) {
          awaitPhase(runs, prefix + i, "parked", JsonNode::asBoolean);
        }
        JsonNode bareLoaded = probe.measure();
        Progress.say("    bare idle " + bareIdle + ", parked " + bareLoaded);
        time(1, bareCli(stack, prefix + (parked / 2)), stack.temporalTarget());
        Samples cli =
            time(
                ctx.sizes().cliCalls(),
                bareCli(stack, prefix + (parked / 2)),
                stack.temporalTarget());
        record(results, GRPC_CLI, cli, false);
        // The bare side of the REST row is the same plain SDK query: what a status costs without
        // opsflow, whichever way opsflow's CLI asks.
        record(results, REST_CLI, cli, false);
        addAll(results, LatencyChart.BARE, cli);
        figure(
            results,
            "worker heap after GC, idle",
            "MiB",
            false,
            bareIdle.path("heapMiB").asDouble());
        figure(
            results,
            "worker heap after GC, " + parked + " runs parked",
            "MiB",
            false,
            bareLoaded.path("heapMiB").asDouble());
        figure(
            results,
            "worker RSS, " + parked + " runs parked",
            "MiB",
            false,
            bareLoaded.path("rssMiB").asDouble());
      }
    }
  }

  private static Figure figure(
      Results results, String name, String unit, boolean opsflow, double value) {
    Figure f = results.figure(NAME, name, unit);
    if (opsflow) {
      f.opsflow(value);
    } else {
      f.bare(value);
    }
    return f;
  }

  private static void record(Results results, String name, Samples cli, boolean opsflow) {
    Progress.say(
        "    "
            + (opsflow ? name : "bare SDK query JVM")
            + ": min "
            + Results.format(cli.quantile(0))
            + " ms, median "
            + Results.format(cli.p50())
            + " ms, max "
            + Results.format(cli.max())
            + " ms");
    Figure f = figure(results, name + ", median of the round's calls", "ms", opsflow, cli.p50());
    f.goal("< 1 s", (o, b) -> o < 1000);
  }

  private static void addAll(Results results, String side, Samples cli) {
    Samples merged = results.distribution(LatencyChart.series("CLI status", side));
    for (double v : cli.sorted()) {
      merged.addMillis(v);
    }
  }

  private static void awaitPhase(
      Runs runs, String id, String query, java.util.function.Predicate<JsonNode> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (true) {
      try {
        if (done.test(runs.query(id, query))) {
          return;
        }
      } catch (RuntimeException notYet) {
        // The run's first task may not have run yet; ask again.
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(id + " did not park within 300 s");
      }
      Thread.sleep(20);
    }
  }

  private static Samples time(int calls, List<String> command, String temporal) throws Exception {
    Samples wall = new Samples();
    Path dir = Files.createTempDirectory("opsflow-bench-cli");
    for (int i = 0; i < calls; i++) {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
      pb.redirectErrorStream(true);
      pb.redirectOutput(dir.resolve("out-" + i + ".txt").toFile());
      pb.environment().put("TEMPORAL_ADDRESS", temporal);
      pb.environment().put("OPSFLOW_API_TOKEN", BenchStack.TOKEN);
      long start = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " took over 60 s");
      }
      long took = System.nanoTime() - start;
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            command
                + " exited "
                + p.exitValue()
                + ": "
                + Files.readString(dir.resolve("out-" + i + ".txt")));
      }
      wall.addNanos(took);
    }
    return wall;
  }

  private static List<String> devCli(BenchContext ctx, String id) {
    if (!Files.isRegularFile(ctx.devJar())) {
      throw new IllegalStateException(
          "the dev jar "
              + ctx.devJar()
              + " is missing: build it (mvn -B -DskipTests package -pl bench -am) or pass"
              + " --dev-jar");
    }
    // What a user types: the launcher next to the jar's build tree, with the start-up flags it
    // gives short verbs (README, "CLI start-up"); the bare jar when the bench runs elsewhere.
    Path launcher =
        ctx.devJar().toAbsolutePath().getParent().getParent().getParent().resolve("opsflow");
    if (Files.isRegularFile(launcher)) {
      return List.of("bash", launcher.toString(), "status", id);
    }
    return List.of(java(), "-jar", ctx.devJar().toAbsolutePath().toString(), "status", id);
  }

  private static List<String> bareCli(BenchStack stack, String id) {
    return List.of(
        java(),
        "-cp",
        System.getProperty("java.class.path"),
        BareQuery.class.getName(),
        stack.temporalTarget(),
        id,
        "parked");
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** A {@link WorkerProbe} process. */
  private static final class Probe implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private Probe(Process process) {
      this.process = process;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static Probe start(String mode, Map<String, String> env) throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(
              java(),
              "-cp",
              System.getProperty("java.class.path"),
              "-Dlogback.configurationFile=" + OpsflowBench.LOG_CONFIG,
              WorkerProbe.class.getName(),
              mode);
      pb.environment().putAll(env);
      File log = File.createTempFile("opsflow-bench-probe-" + mode, ".log");
      pb.redirectError(log);
      Probe probe = new Probe(pb.start());
      String line = probe.out.readLine();
      while (line != null && !line.equals("ready")) {
        line = probe.out.readLine();
      }
      if (line == null) {
        probe.close();
        throw new IllegalStateException(
            "the " + mode + " worker process did not start; see " + log);
      }
      return probe;
    }

    JsonNode measure() throws IOException {
      in.write("measure\n");
      in.flush();
      return Results.JSON.readTree(out.readLine());
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        // Already gone.
      }
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
