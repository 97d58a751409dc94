package dev.opsflow.dev;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The launcher's training run for the short verbs' class-data archive (hidden: {@code ./opsflow}
 * runs it once after each build under {@code -XX:ArchiveClassesAtExit}). A call that fails before
 * it connects leaves out everything a real call loads after that (the channel's, the stubs' and
 * protobuf's decoding classes, a third of the start-up), so this one starts an embedded Temporal
 * service on a free loopback port with a worker answering a {@code status} query, and runs the
 * read-only verbs against it in this JVM, output discarded. Nothing here runs in a user's call.
 */
@Command(name = "cli-training", hidden = true)
final class CliTrainingCommand implements Callable<Integer> {
  static final String TASK_QUEUE = "opsflow-cli-training";
  static final String WORKFLOW_ID = "opsflow-cli-training";

  /** A run that waits and answers {@code status} with a few fields, as an opsflow run does. */
  @WorkflowInterface
  public interface Trainee {
    @WorkflowMethod
    void run();

    @QueryMethod(name = "status")
    Map<String, Object> status();
  }

  public static final class TraineeImpl implements Trainee {
    @Override
    public void run() {
      Workflow.await(() -> false);
    }

    @Override
    public Map<String, Object> status() {
      return Map.of(
          "phase", "WAITING", "actions", List.of(Map.of("action", "none", "success", true)));
    }
  }

  @Override
  public Integer call() {
    try (EmbeddedTemporalService service = EmbeddedTemporalService.start("127.0.0.1", 0)) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(service.target()).build());
      WorkerFactory workers = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
      try {
        workers.newWorker(TASK_QUEUE).registerWorkflowImplementationTypes(TraineeImpl.class);
        workers.start();
        WorkflowClient.start(
            workers
                    .getWorkflowClient()
                    .newWorkflowStub(
                        Trainee.class,
                        WorkflowOptions.newBuilder()
                            .setTaskQueue(TASK_QUEUE)
                            .setWorkflowId(WORKFLOW_ID)
                            .build())
                ::run);
        String address = service.target();
        int failed = 0;
        for (List<String> verb :
            List.of(
                List.of("status", WORKFLOW_ID),
                List.of("status", WORKFLOW_ID, "--json"),
                List.of("describe", WORKFLOW_ID),
                List.of("list"),
                List.of("approvals"))) {
          CommandLine cli = OpsflowDev.newCommandLine();
          cli.setOut(new PrintWriter(Writer.nullWriter()));
          cli.setErr(new PrintWriter(Writer.nullWriter()));
          String[] args =
              Stream.concat(verb.stream(), Stream.of("--temporal-address", address))
                  .toArray(String[]::new);
          if (cli.execute(args) != 0) {
            failed++;
          }
        }
        // Non-zero when a verb failed: the launcher keeps the archive either way (it only makes
        // calls quicker), but a test can tell a training run that no longer trains.
        return failed == 0 ? 0 : 1;
      } finally {
        workers.shutdownNow();
        stubs.shutdownNow();
      }
    }
  }
}
