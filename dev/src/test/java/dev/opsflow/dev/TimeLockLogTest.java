package dev.opsflow.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedded service keeps no log of lock events, so it does not slow down with each run it has
 * seen (unbounded, the log grew by about one event per workflow, and each update scanned it), and
 * time still runs as on a real cluster: a timer fires after its wall-clock delay, not at once.
 */
class TimeLockLogTest {

  @WorkflowInterface
  public interface Napper {
    @WorkflowMethod
    long nap(long millis);
  }

  public static final class NapperImpl implements Napper {
    @Override
    public long nap(long millis) {
      long from = Workflow.currentTimeMillis();
      Workflow.sleep(Duration.ofMillis(millis));
      return Workflow.currentTimeMillis() - from;
    }
  }

  @Test
  void theServiceKeepsNoLockEventsAndTimersStillTakeTheirTime() throws Exception {
    try (EmbeddedTemporalService service = EmbeddedTemporalService.start("127.0.0.1", 0)) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(service.target()).build());
      try {
        WorkflowClient client = WorkflowClient.newInstance(stubs);
        WorkerFactory factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker("time-lock-log");
        worker.registerWorkflowImplementationTypes(NapperImpl.class);
        factory.start();
        List<WorkflowStub> runs = new ArrayList<>();
        long wallStart = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          WorkflowStub run =
              client.newUntypedWorkflowStub(
                  "Napper",
                  WorkflowOptions.newBuilder()
                      .setTaskQueue("time-lock-log")
                      .setWorkflowId("nap-" + i)
                      .build());
          WorkflowExecution started = run.start(i == 0 ? 1500L : 1L);
          assertThat(started.getRunId()).isNotEmpty();
          runs.add(run);
        }
        long slept = runs.get(0).getResult(30, java.util.concurrent.TimeUnit.SECONDS, Long.class);
        for (WorkflowStub run : runs) {
          run.getResult(30, java.util.concurrent.TimeUnit.SECONDS, Long.class);
        }
        // Time skipping stays locked: the 1.5 s nap took 1.5 s of workflow time and of wall time.
        assertThat(slept).isGreaterThanOrEqualTo(1500);
        assertThat(Duration.ofNanos(System.nanoTime() - wallStart))
            .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        // Unbounded, the log held 801 events after these 200 runs, and kept growing.
        assertThat(service.lockEventsKept()).isZero();
        factory.shutdownNow();
      } finally {
        stubs.shutdownNow();
      }
    }
  }
}
