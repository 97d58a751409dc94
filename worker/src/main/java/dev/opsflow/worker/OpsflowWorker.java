package dev.opsflow.worker;

import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker: polls every opsflow task queue and runs all workflows and activities. {@link
 * #close()} stops polling and waits for in-flight activities to finish (drain) before returning.
 */
public final class OpsflowWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsflowWorker.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

  private final WorkerFactory factory;

  private OpsflowWorker(WorkerFactory factory) {
    this.factory = factory;
  }

  /** A worker for a real Temporal server: with sticky execution. */
  public static OpsflowWorker start(WorkflowClient client, ActivityCatalog activities) {
    return start(client, activities, StickyExecution.ON);
  }

  /**
   * @param sticky {@link StickyExecution#OFF} against the embedded dev service, which never moves a
   *     dead worker's tasks off its sticky queue
   */
  public static OpsflowWorker start(
      WorkflowClient client, ActivityCatalog activities, StickyExecution sticky) {
    SearchAttributeSetup.ensure(client);
    WorkerFactory factory = WorkerFactory.newInstance(client, sticky.factoryOptions());
    for (String queue : TaskQueues.ALL) {
      Worker worker = factory.newWorker(queue, sticky.workerOptions());
      WorkflowCatalog.register(worker);
      worker.registerActivitiesImplementations(activities.implementations().toArray());
    }
    factory.start();
    log.info(
        "Worker polling task queues {} in namespace {} ({} workflow types, {} activity sets;"
            + " sticky execution {})",
        TaskQueues.ALL,
        client.getOptions().getNamespace(),
        WorkflowCatalog.IMPLEMENTATIONS.size(),
        activities.implementations().size(),
        sticky);
    return new OpsflowWorker(factory);
  }

  public List<String> taskQueues() {
    return TaskQueues.ALL;
  }

  @Override
  public void close() {
    log.info(
        "Worker draining: no new tasks, waiting up to {}s for running activities",
        DRAIN_TIMEOUT.toSeconds());
    factory.shutdown();
    factory.awaitTermination(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!factory.isTerminated()) {
      log.warn("Worker did not drain within {}s; stopping the rest", DRAIN_TIMEOUT.toSeconds());
      factory.shutdownNow();
    }
  }
}
