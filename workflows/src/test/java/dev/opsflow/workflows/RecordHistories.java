package dev.opsflow.workflows;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.activities.diagnostics.ProbeResult;
import dev.opsflow.activities.diagnostics.ProbeTarget;
import dev.opsflow.workflows.diagnostics.ConnectivityCheck;
import dev.opsflow.workflows.diagnostics.ConnectivityCheckInput;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the histories {@link HistoriesReplayTest} replays. Runs only when asked
 * (-Dopsflow.recordHistories=true): recorded histories are the reference, not regenerated on every
 * build, or replay would compare the code with itself.
 */
@EnabledIfSystemProperty(named = "opsflow.recordHistories", matches = "true")
class RecordHistories {
  private TestWorkflowEnvironment env;
  private Worker worker;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    worker = env.newWorker(TaskQueues.OPERATIONS);
    worker.registerWorkflowImplementationTypes(
        WorkflowCatalog.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private void save(String procedure, String scenario, String workflowId) throws Exception {
    Path dir = HistoriesReplayTest.HISTORIES.resolve(procedure);
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve(scenario + ".json"), client.fetchHistory(workflowId).toJson(true));
  }

  private static WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(TaskQueues.OPERATIONS)
        .build();
  }

  @Test
  void connectivityCheck() throws Exception {
    worker.registerActivitiesImplementations(
        new ConnectivityActivities() {
          @Override
          public List<ProbeTarget> configuredTargets() {
            return List.of(
                new ProbeTarget("temporal", "127.0.0.1:7233"),
                new ProbeTarget("kafka", "127.0.0.1:9092"));
          }

          @Override
          public ProbeResult probe(ProbeTarget target) {
            boolean up = target.system().equals("temporal");
            return new ProbeResult(
                target.system(),
                target.endpoint(),
                up,
                2,
                up ? null : "ConnectException: Connection refused");
          }
        });
    env.start();
    client
        .newWorkflowStub(ConnectivityCheck.class, options("replay-connectivity-all"))
        .check(new ConnectivityCheckInput(List.of()));
    save("connectivitycheck", "all-systems-one-down", "replay-connectivity-all");
  }
}
