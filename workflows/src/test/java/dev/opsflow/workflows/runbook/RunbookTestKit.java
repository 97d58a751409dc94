package dev.opsflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.dispatch.DispatchActivitiesImpl;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.runbook.ProbeAnswer;
import dev.opsflow.activities.runbook.RunbookExpressionActivitiesImpl;
import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookStatus;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.WorkflowCatalog;
import dev.opsflow.workflows.remediation.governor.BlastRadiusGovernorImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every interpreter test shares: an in-memory world ({@link FakeRunbookWorld}) with time
 * skipping, the shipped runbooks read by the real loader, and small waits on the status.
 */
abstract class RunbookTestKit {
  static final String QUEUE = "runbook-test";
  static final Path SHIPPED = Path.of("..", "runbooks");

  final FakeRunbookWorld world = new FakeRunbookWorld();
  TestWorkflowEnvironment env;
  WorkflowClient client;
  String workflowId;

  /** Time skipping; a test that waits on real activities in progress uses real time. */
  TestWorkflowEnvironment newEnvironment() {
    return TestWorkflowEnvironment.newInstance();
  }

  @BeforeEach
  void setUp() {
    env = newEnvironment();
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    client = env.getWorkflowClient();
    Worker worker = env.newWorker(QUEUE);
    // The real blast-radius governor on this queue: mutating Kubernetes actions ask it for a slot.
    worker.registerWorkflowImplementationTypes(
        WorkflowCatalog.OPTIONS, RunbookWorkflowImpl.class, BlastRadiusGovernorImpl.class);
    worker.registerActivitiesImplementations(
        world,
        new RunbookExpressionActivitiesImpl(),
        new DispatchActivitiesImpl(new RemediationDispatcher(client, QUEUE)));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  // ---- helpers ----

  static PinnedRunbook shipped(String id) {
    return valid(RunbookLoader.read(SHIPPED.resolve(id + ".yaml")));
  }

  static PinnedRunbook inline(String yaml) {
    return valid(RunbookLoader.read("inline.yaml", yaml));
  }

  static PinnedRunbook valid(RunbookValidation validation) {
    assertThat(validation.problems()).isEmpty();
    return validation.runbook();
  }

  RunbookWorkflow start(
      PinnedRunbook runbook, Map<String, Object> context, boolean dryRun, List<String> failing) {
    String id = runbook.definition().id();
    workflowId =
        dryRun ? RunbookNames.dryRunWorkflowId(id, "t1") : RunbookNames.workflowId(id, "t1");
    RunbookWorkflow stub =
        client.newWorkflowStub(
            RunbookWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(workflowId).build());
    WorkflowClient.start(
        stub::run, new RunbookRequest(runbook, context, dryRun, failing, "carol", null));
    return running();
  }

  RunbookWorkflow start(PinnedRunbook runbook, Map<String, Object> context) {
    return start(runbook, context, false, List.of());
  }

  RunbookWorkflow running() {
    return client.newWorkflowStub(RunbookWorkflow.class, workflowId);
  }

  RunbookResult result() {
    return WorkflowStub.fromTyped(running()).getResult(RunbookResult.class);
  }

  /** Skips time until the status satisfies {@code until} (at most ten minutes of it). */
  RunbookStatus waitFor(Predicate<RunbookStatus> until) {
    for (int i = 0; i < 600; i++) {
      RunbookStatus status = running().status();
      if (until.test(status)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(1));
    }
    throw new AssertionError("never reached: " + running().status());
  }

  static List<String> taken(RunbookResult result) {
    return result.history().stream().map(StepRecord::stepId).toList();
  }

  static StepRecord record(RunbookResult result, String stepId) {
    return result.history().stream()
        .filter(r -> r.stepId().equals(stepId))
        .findFirst()
        .orElseThrow();
  }

  void save(String scenario) {
    RecordHistories.saveIfRecording(client, "runbook", scenario, workflowId);
  }

  void scriptHighErrorRate(double ratio, double traffic) {
    world.probes.put(
        "sum(rate(http_requests_total{service=\"orders\",code=~\"5..\"}[5m])) /"
            + " sum(rate(http_requests_total{service=\"orders\"}[5m]))",
        c -> new ProbeAnswer(true, ratio, "ratio " + ratio));
    world.probes.put(
        "sum(rate(http_requests_total{service=\"orders\"}[5m]))",
        c -> new ProbeAnswer(true, traffic, "traffic " + traffic));
  }

  static final Map<String, Object> ORDERS =
      Map.of("service", "orders", "namespace", "demo", "replicas", 3);
}
