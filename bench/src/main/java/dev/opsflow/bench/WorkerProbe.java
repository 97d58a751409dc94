package dev.opsflow.bench;

import dev.opsflow.bench.bare.BareWorker;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.JvmDefaults;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.OpsflowWorker;
import dev.opsflow.worker.TemporalConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A worker as its own process, for the footprint benchmark: {@code opsflow} runs opsflow's worker
 * (as {@code opsflow worker} does, configured from the environment), {@code bare} runs only the
 * bare workflow's worker. It prints {@code ready}, then answers each {@code measure} line on stdin
 * with its heap after a full GC (MemoryMXBean) and its resident set (/proc/self/status VmRSS), and
 * ends when stdin closes.
 */
public final class WorkerProbe {
  private WorkerProbe() {}

  public static void main(String[] args) throws IOException {
    JvmDefaults.apply();
    boolean opsflow = args.length > 0 && args[0].equals("opsflow");
    try (ClosingStack parts = new ClosingStack()) {
      OpsflowConfig config = ConfigLoader.load(null, System.getenv());
      OpsflowMetrics metrics = parts.push(new OpsflowMetrics());
      TemporalConnection temporal =
          parts.push(
              TemporalConnection.connect(
                  config.temporal(), metrics.temporalScope(), Duration.ofSeconds(10)));
      if (opsflow) {
        ActivityCatalog activities =
            parts.push(ActivityCatalog.fromConfig(config, temporal.client()));
        parts.push(OpsflowWorker.start(temporal.client(), activities));
      } else {
        parts.push(BareWorker.start(temporal.client()));
      }
      System.out.println("ready");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("measure")) {
          System.out.println(measure());
          System.out.flush();
        }
      }
    }
  }

  private static String measure() throws IOException {
    // Twice, so what the first collection queued for finalization is gone too.
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rssKiB = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        rssKiB = Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return String.format(
        Locale.ROOT, "{\"heapMiB\": %.1f, \"rssMiB\": %.1f}", heap / 1048576.0, rssKiB / 1024.0);
  }
}
