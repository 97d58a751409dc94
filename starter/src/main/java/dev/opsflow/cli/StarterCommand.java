package dev.opsflow.cli;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.starter.WatchdogLauncher;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.TemporalConnection;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "starter",
    mixinStandardHelpOptions = true,
    description =
        "Run the starter's HTTP server (alert webhook, REST API, /metrics) against a Temporal cluster.")
final class StarterCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    OpsflowConfig config = connection.load();
    ClosingStack parts = new ClosingStack();
    try {
      OpsflowMetrics metrics = parts.push(new OpsflowMetrics());
      TemporalConnection temporal =
          parts.push(
              TemporalConnection.connect(
                  config.temporal(),
                  metrics.temporalScope(),
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(10)));
      StarterServer server =
          parts.push(
              StarterServer.start(
                  config.http().host(), config.http().port(), temporal.client(), metrics, config));
      WatchdogLauncher.ensureRunning(temporal.client(), config);
      System.out.println(
          "opsflow starter listening on "
              + server.url()
              + " (Temporal "
              + temporal.address()
              + ")");
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
    return UntilStopped.run(parts);
  }
}
