package dev.opsflow.cli;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.starter.DevStack;
import dev.opsflow.workflows.WorkflowCatalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Run everything in one process: an embedded Temporal service, the worker and the starter.",
      "The embedded service keeps its state in memory only (like 'temporal server start-dev'",
      "without a database file): everything is gone after a restart."
    })
final class DevCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "address to bind (default ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--temporal-port",
      defaultValue = "7233",
      description = "embedded Temporal gRPC port (default ${DEFAULT-VALUE})")
  int temporalPort;

  @Option(names = "--http-port", description = "starter HTTP port (default: http.port, 8080)")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    OpsflowConfig config = connection.load();
    int http = httpPort != null ? httpPort : config.http().port();
    DevStack stack = DevStack.start(config, host, temporalPort, http);
    System.out.println();
    System.out.println("opsflow dev stack is up (state in memory only; Ctrl-C to stop)");
    System.out.println(
        "  Temporal service (gRPC)  "
            + stack.temporalTarget()
            + "   namespace "
            + config.temporal().namespace());
    System.out.println("  Worker task queues       " + String.join(", ", stack.taskQueues()));
    System.out.println("  Starter HTTP             " + stack.httpUrl() + "/");
    System.out.println("  Prometheus metrics       " + stack.httpUrl() + "/metrics");
    System.out.println(
        "  Workflow types           " + String.join(", ", WorkflowCatalog.typeNames()));
    System.out.println();
    System.out.println("Try:  ./opsflow start ConnectivityCheck --input '{}' --wait");
    System.out.println();
    return UntilStopped.run(stack);
  }
}
