package dev.opsflow.bench.bare;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;

/**
 * The bare workflow's worker on its own task queue, with the SDK's default options (as opsflow's
 * worker has), in whichever process it is started.
 */
public final class BareWorker implements AutoCloseable {
  /** The bare workflows' task queue, apart from opsflow's. */
  public static final String TASK_QUEUE = "bench-bare";

  private final WorkerFactory factory;

  private BareWorker(WorkerFactory factory) {
    this.factory = factory;
  }

  public static BareWorker start(WorkflowClient client) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    var worker = factory.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(BareWorkflowImpl.class, BareMixWorkflowImpl.class);
    worker.registerActivitiesImplementations(new BareActivitiesImpl());
    factory.start();
    return new BareWorker(factory);
  }

  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(5, TimeUnit.SECONDS);
    factory.shutdownNow();
  }
}
