package dev.opsflow.cli;

import dev.opsflow.worker.WorkerProcess;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description =
        "Run a worker of the fleet against a Temporal cluster, with /metrics on its own port.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--metrics-host",
      defaultValue = "0.0.0.0",
      description = "address of /metrics (default ${DEFAULT-VALUE}, for Prometheus to scrape)")
  String metricsHost;

  @Override
  public Integer call() throws Exception {
    WorkerProcess process = WorkerProcess.start(connection.load(), metricsHost);
    return UntilStopped.run(process);
  }
}
