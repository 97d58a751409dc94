package dev.opsflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsflowWorkerDrainIT {
  /** A probe that takes two seconds, so shutdown happens while it runs. */
  static final class SlowProbe implements ConnectivityActivities {
    final CountDownLatch started = new CountDownLatch(1);
    final AtomicBoolean finished = new AtomicBoolean();

    @Override
    public List<ProbeTarget> configuredTargets() {
      return List.of(new ProbeTarget("slow", "127.0.0.1:1"));
    }

    @Override
    public ProbeResult probe(ProbeTarget target) {
      started.countDown();
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted: the worker did not let the activity finish", e);
      }
      finished.set(true);
      return new ProbeResult(target.system(), target.endpoint(), true, 2_000, null);
    }
  }

  @Test
  void closingTheWorkerLetsTheRunningActivityFinish() throws Exception {
    SlowProbe probe = new SlowProbe();
    try (EmbeddedTemporalService temporal = EmbeddedTemporalService.start("127.0.0.1", 0)) {
      OpsflowConfig config = ConfigLoader.load(null, Map.of("TEMPORAL_ADDRESS", temporal.target()));
      try (TemporalConnection connection =
          TemporalConnection.connect(config.temporal(), null, Duration.ofSeconds(5))) {
        OpsflowWorker worker =
            OpsflowWorker.start(connection.client(), new ActivityCatalog(List.of(probe)));
        connection
            .client()
            .newUntypedWorkflowStub(
                "ConnectivityCheck",
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.OPERATIONS)
                    .setWorkflowId("drain")
                    .build())
            .start(Map.of());
        assertThat(probe.started.await(20, TimeUnit.SECONDS)).as("probe started").isTrue();

        long before = System.nanoTime();
        worker.close();
        long closedAfterMillis = (System.nanoTime() - before) / 1_000_000;

        assertThat(probe.finished).as("activity ran to completion").isTrue();
        assertThat(closedAfterMillis).as("close waited for the activity").isGreaterThan(500);
      }
    }
  }
}
