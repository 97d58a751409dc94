package dev.opsflow.bench;

import dev.opsflow.dev.DevSandbox;
import dev.opsflow.worker.JvmDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code opsflow bench}: runs the benchmarks on the embedded stack and the sandbox (as {@code
 * opsflow dev --sandbox} assembles them), each for several rounds with its bare Temporal pair in
 * the same round; prints progress and the table, and writes bench.json, bench.md and latency.png.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark opsflow against bare Temporal on the embedded stack and the sandbox.",
      "Each figure is min / median / max over the rounds; each goal is printed PASS or MISS."
    })
public final class OpsflowBench implements Callable<Integer> {
  /** The benchmarks, by the name --only takes, in the order they run. */
  enum Benchmark {
    ingestion,
    storm,
    e2e,
    throughput,
    footprint,
    failover
  }

  // Defaults in the annotation: the usage text printed with a refusal shows them, not the value
  // refused (which an initialised field shows once parsing has set it).
  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "rounds of each benchmark (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description =
          "unrecorded rounds of each benchmark before its measured ones, for the JIT: the bench's"
              + " one JVM spent about a core in C2 compilation for minutes (footprint runs JVMs of"
              + " its own and gets none; default ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--quick",
      description = "smoke sizes (a minute or two) instead of the full ones (10-20 minutes)")
  boolean quick;

  @Option(names = "--tiny", hidden = true, description = "the smoke test's sizes")
  boolean tiny;

  @Option(
      names = "--only",
      split = ",",
      description = "run only these: ingestion, storm, e2e, throughput, footprint, failover")
  List<Benchmark> only = List.of(Benchmark.values());

  @Option(
      names = "--out",
      description = "where bench.json, bench.md and latency.png go (default ${DEFAULT-VALUE})")
  Path out = Path.of("bench", "results");

  @Option(
      names = "--dev-jar",
      description = "the dev build the CLI latency runs (default ${DEFAULT-VALUE})")
  Path devJar = Path.of("dev", "target", "opsflow-dev.jar");

  /**
   * The bench's log configuration: quieter than opsflow's (thousands of runs, one INFO line each,
   * would be the bottleneck), and named apart so it is not one of two logback.xml on the classpath.
   */
  static final String LOG_CONFIG = "logback-bench.xml";

  public static void main(String[] args) {
    JvmDefaults.apply();
    System.setProperty("logback.configurationFile", LOG_CONFIG);
    System.setProperty("java.awt.headless", "true");
    System.exit(
        new CommandLine(new OpsflowBench()).setOverwrittenOptionsAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 20) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--rounds: must be between 1 and 20, got " + rounds);
    }
    if (warmup < 0 || warmup > 5) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--warmup: must be between 0 and 5, got " + warmup);
    }
    Sizes sizes = tiny ? Sizes.TINY : quick ? Sizes.QUICK : Sizes.FULL;
    Results results = new Results();
    Instant started = Instant.now();
    int failedRounds = 0;
    Progress.say(
        "opsflow bench: "
            + rounds
            + " round(s)"
            + (warmup > 0 ? " (after " + warmup + " unrecorded warm-up round(s))" : "")
            + " of "
            + only
            + (tiny ? " (tiny)" : quick ? " (quick)" : "")
            + " on "
            + Machine.describe());
    Progress.say("Starting the sandbox (Kubernetes API, Kafka, PostgreSQL)...");
    try (DevSandbox sandbox = DevSandbox.start()) {
      BenchContext ctx =
          new BenchContext(sandbox.settings(), sandbox.kubernetes(), sizes, results, devJar);
      // Warm-up rounds add to results of their own, thrown away; their rounds are numbered from
      // 101 so that the workflow IDs and Deployments they make are their own too.
      BenchContext warming =
          new BenchContext(
              sandbox.settings(), sandbox.kubernetes(), sizes, Results.ofWarmUp(), devJar);
      for (Benchmark b : Benchmark.values()) {
        if (!only.contains(b)) {
          continue;
        }
        int warmups = b == Benchmark.footprint ? 0 : warmup;
        for (int w = 1; w <= warmups; w++) {
          Progress.say(b + ": warm-up round " + w + "/" + warmups + " (not recorded)");
          try {
            round(b, warming, 100 + w);
          } catch (Exception e) {
            // Told, not counted: the measured rounds say whether the benchmark works.
            Progress.say("  the warm-up round failed: " + e);
          }
        }
        for (int round = 1; round <= rounds; round++) {
          Progress.say(b + ": round " + round + "/" + rounds);
          try {
            round(b, ctx, round);
          } catch (Exception e) {
            failedRounds++;
            results.finding(b + " round " + round + " could not be measured: " + e);
          }
        }
      }
    }
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("command", "./opsflow bench" + commandLine());
    run.put("startedAt", started.toString());
    run.put("seconds", (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0);
    run.put("rounds", rounds);
    run.put("warmupRounds", warmup);
    run.put("benchmarks", only.stream().map(Enum::name).toList());
    run.put("sizes", sizes);
    run.put("machine", Machine.facts());
    run.put("failedRounds", failedRounds);
    System.out.println();
    System.out.print(results.table());
    System.out.println();
    results.findings().forEach(f -> System.out.println("FINDING: " + f));
    write(results, run);
    Progress.say("Written " + out.resolve("bench.json") + ", bench.md and latency.png");
    return failedRounds == 0 ? 0 : 1;
  }

  private static void round(Benchmark b, BenchContext ctx, int round) throws Exception {
    switch (b) {
      case ingestion -> WebhookIngestion.round(ctx, round);
      case storm -> AlertStorm.round(ctx, round);
      case e2e -> RemediationEndToEnd.round(ctx, round);
      case throughput -> WorkerThroughput.round(ctx, round);
      case footprint -> Footprint.round(ctx, round);
      case failover -> FailoverSwitchover.round(ctx, round);
    }
  }

  private void write(Results results, Map<String, Object> run) throws IOException {
    Files.createDirectories(out);
    results.write(out, run);
  }

  private String commandLine() {
    StringBuilder s = new StringBuilder();
    if (tiny) {
      s.append(" --tiny");
    } else if (quick) {
      s.append(" --quick");
    }
    s.append(" --rounds ").append(rounds);
    if (warmup != 1) {
      s.append(" --warmup ").append(warmup);
    }
    if (only.size() < Benchmark.values().length) {
      s.append(" --only ").append(String.join(",", only.stream().map(Enum::name).toList()));
    }
    return s.toString();
  }
}
