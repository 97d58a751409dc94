package dev.opsflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.contracts.remediation.BlastRadiusGovernor;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A runbook's Kubernetes changes count against the server's blast radius: each takes the real
 * governor's slot in its namespace before it acts and gives it back after. One slot per namespace
 * ({@code healing.maxInFlightPerNamespace: 1}): a second runbook acting in the same namespace waits
 * until the first's action is done; one in another namespace does not; a dry run takes no slot.
 * Real time, since the first action is held in progress while the second waits.
 */
class RunbookGovernorTest extends RunbookTestKit {
  private static final PinnedRunbook SCALE =
      inline(
          """
          id: scale-one
          name: Scale one Deployment
          version: "1"
          startWith: scale
          steps:
            - id: scale
              type: action
              action: kubernetes.scale
              parameters:
                namespace: "{{ input.namespace }}"
                deployment: "{{ input.deployment }}"
                replicas: 2
          """);

  private final CountDownLatch firstActs = new CountDownLatch(1);

  @Override
  TestWorkflowEnvironment newEnvironment() {
    return TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
  }

  @BeforeEach
  void oneSlotPerNamespace() {
    world.healing =
        ServerPolicy.from(
            ConfigLoader.load(null, Map.of("MAX_IN_FLIGHT_PER_NAMESPACE", "1")).healing());
  }

  private String run(String namespace, String deployment, boolean dryRun) {
    String id =
        dryRun
            ? RunbookNames.dryRunWorkflowId("scale-one", deployment)
            : RunbookNames.workflowId("scale-one", deployment);
    RunbookWorkflow stub =
        client.newWorkflowStub(
            RunbookWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(id).build());
    WorkflowClient.start(
        stub::run,
        new RunbookRequest(
            SCALE,
            Map.of("namespace", namespace, "deployment", deployment),
            dryRun,
            List.of(),
            "carol",
            null));
    return id;
  }

  private RunbookResult resultOf(String id) throws Exception {
    return WorkflowStub.fromTyped(client.newWorkflowStub(RunbookWorkflow.class, id))
        .getResult(30, TimeUnit.SECONDS, RunbookResult.class);
  }

  private GovernorState governor() {
    return client.newWorkflowStub(BlastRadiusGovernor.class, GovernorNames.WORKFLOW_ID).status();
  }

  /** Polls {@code condition} every 100 ms for at most {@code seconds}. */
  private static void until(int seconds, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s");
      }
      Thread.sleep(100);
    }
  }

  private static String scale(String namespace, String deployment) {
    return "kubernetes.scale {deployment="
        + deployment
        + ", namespace="
        + namespace
        + ", replicas=2}";
  }

  @Test
  void aSecondRunbookActingInTheSameNamespaceWaitsForTheFirstsSlot() throws Exception {
    world.holding.put("kubernetes.scale", firstActs);
    String first = run("demo", "orders", false);
    until(20, () -> world.calls.contains("act " + scale("demo", "orders")));
    assertThat(governor().inFlight())
        .extracting(GovernorState.Grant::workflowId)
        .containsExactly(first);

    String second = run("demo", "billing", false);
    until(
        20,
        () -> governor().waiting().stream().anyMatch(w -> w.request().workflowId().equals(second)));
    // Another namespace has its own slot, and a dry run asks for none: neither waits.
    String elsewhere = run("other", "cart", false);
    String dry = run("demo", "search", true);
    assertThat(resultOf(dry).phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(resultOf(dry).plan()).hasSize(1);
    until(20, () -> world.calls.contains("act " + scale("other", "cart")));
    Thread.sleep(1_000);
    assertThat(world.calls)
        .as("the second waits while the first acts")
        .doesNotContain("act " + scale("demo", "billing"));
    assertThat(governor().waiting())
        .extracting(w -> w.request().workflowId())
        .containsExactly(second);
    assertThat(governor().waiting().get(0).request().namespace()).isEqualTo("demo");

    firstActs.countDown();
    assertThat(resultOf(first).phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(resultOf(second).phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(resultOf(elsewhere).phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    List<String> demo = world.calls.stream().filter(c -> c.contains("namespace=demo")).toList();
    assertThat(demo)
        .as("billing acts only after orders' action is done")
        .containsExactly(
            "act " + scale("demo", "orders"),
            "done " + scale("demo", "orders"),
            "act " + scale("demo", "billing"),
            "done " + scale("demo", "billing"));
    until(10, () -> governor().inFlight().isEmpty() && governor().waiting().isEmpty());
    workflowId = second;
    save("governor-slot-waited");
  }
}
