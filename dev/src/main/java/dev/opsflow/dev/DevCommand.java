package dev.opsflow.dev;

import dev.opsflow.cli.BadInputException;
import dev.opsflow.cli.ConnectionOptions;
import dev.opsflow.cli.UntilStopped;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.StickyExecution;
import dev.opsflow.worker.WorkerProcess;
import dev.opsflow.workflows.TaskQueues;
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

  @Option(
      names = "--sandbox",
      description = {
        "also start systems to heal, in this process: a Kubernetes API (fabric8 mock server) with a",
        "demo namespace, a Kafka broker with a lagging consumer group and a PostgreSQL near its",
        "connection limit, a demo app and a model server with real traffic and, when installed",
        "(apt-get install prometheus), a Prometheus scraping them; opsflow is pointed at them"
      })
  boolean sandbox;

  @Option(
      names = "--worker-only",
      description = {
        "run only a worker, against the embedded service of an 'opsflow dev' already running",
        "(--temporal-address, default 127.0.0.1:7233), e.g. a second worker to kill and replace;",
        "like the dev stack's own worker it uses no sticky execution, since the embedded service",
        "would strand a dead worker's runs on its sticky queue"
      })
  boolean workerOnly;

  @Override
  public Integer call() throws Exception {
    if (workerOnly) {
      if (sandbox) {
        throw new BadInputException(
            "--worker-only joins a running dev stack; start --sandbox with that stack");
      }
      WorkerProcess worker = WorkerProcess.start(connection.load(), host, StickyExecution.OFF);
      System.out.println(
          "opsflow dev worker polling "
              + String.join(", ", TaskQueues.ALL)
              + " (metrics on http://"
              + host
              + ":"
              + worker.metricsPort()
              + "/metrics; Ctrl-C to stop)");
      return UntilStopped.run(worker);
    }
    ClosingStack parts = new ClosingStack();
    OpsflowConfig config;
    DevSandbox heal = null;
    try {
      if (sandbox) {
        System.out.println(
            "Starting the sandbox (Kubernetes API, Kafka, PostgreSQL, demo app, model server,"
                + " Prometheus)...");
        heal = parts.push(DevSandbox.start());
        config =
            heal.withFailoverCluster(
                connection.load(heal.settings()), System.getProperty("user.name"));
      } else {
        config = connection.load();
      }
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
    int http = httpPort != null ? httpPort : config.http().port();
    DevStack stack;
    try {
      stack = parts.push(DevStack.start(config, host, temporalPort, http));
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
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
        "  Alertmanager webhook     POST "
            + stack.httpUrl()
            + "/alerts"
            + (stack.usesDevWebhookToken()
                ? "   (Authorization: Bearer " + DevStack.DEV_WEBHOOK_TOKEN + ")"
                : "   (credentials from your configuration)"));
    System.out.println(
        "  REST API                 "
            + stack.httpUrl()
            + "/api/runbooks"
            + (stack.usesDevApiToken()
                ? "   (admin caller '"
                    + DevStack.DEV_API_CALLER
                    + "': Authorization: Bearer "
                    + DevStack.DEV_WEBHOOK_TOKEN
                    + ")"
                : "   (callers from OPSFLOW_API_TOKENS)"));
    System.out.println(
        "  Workflow types           " + String.join(", ", WorkflowCatalog.typeNames()));
    System.out.println();
    if (!stack.watchdogs().isEmpty()) {
      System.out.println("  Watchdogs                " + String.join(", ", stack.watchdogs()));
    }
    if (heal != null) {
      System.out.println();
      System.out.println("Sandbox:");
      heal.describe().forEach(line -> System.out.println("  " + line));
      System.out.println();
      System.out.println("Heal something (README, 'Try it without a cluster'):");
      System.out.println(
          "  curl -s -X POST "
              + stack.httpUrl()
              + "/alerts -H 'Authorization: Bearer "
              + DevStack.DEV_WEBHOOK_TOKEN
              + "' -H 'Content-Type: application/json' -d @examples/alerts/kafka-lag.json");
      System.out.println("Fail the database over (README, 'Database failover'):");
      System.out.println("  ./opsflow failover demo --switchover");
      System.out.println("  ./opsflow approve failover-demo");
      System.out.println("  ./opsflow status failover-demo");
    }
    System.out.println();
    System.out.println("Try:  ./opsflow start ConnectivityCheck --input '{}' --wait");
    System.out.println("      ./opsflow approvals");
    System.out.println();
    return UntilStopped.run(parts);
  }
}
