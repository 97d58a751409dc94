package dev.opsflow.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.dev.DevStack;
import dev.opsflow.workflows.TaskQueues;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several starters dispatching the same new problem at the same moment. */
class RemediationDispatcherIT {
  private static DevStack stack;

  @BeforeAll
  static void start() {
    stack = DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void concurrentFirstNoticesOfOneProblemStartOneRunAndAllSucceed() throws Exception {
    RemediationDispatcher dispatcher =
        new RemediationDispatcher(stack.client(), TaskQueues.OPERATIONS);
    HealingPolicy policy = ServerPolicy.from(OpsflowConfig.defaults().healing());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int problem = 0; problem < 5; problem++) {
        RemediationRequest request =
            new RemediationRequest(
                "CrashLoopRemediation",
                new WorkloadTarget("race", "app-" + problem, "", ""),
                new RunEnvelope(
                    "critical",
                    new AlertNotice(
                        "KubePodCrashLooping",
                        AlertNotice.FIRING,
                        "fp-" + problem,
                        "2026-11-23T10:00:00Z",
                        Map.of(),
                        Map.of(),
                        "alertmanager"),
                    RemediationRequest.AUTOMATON,
                    null),
                null,
                policy);
        List<Future<DispatchResult>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          results.add(pool.submit(() -> dispatcher.dispatch(request)));
        }
        Set<String> runs = new HashSet<>();
        for (Future<DispatchResult> r : results) {
          DispatchResult result = r.get();
          assertThat(result.outcome()).isEqualTo(DispatchResult.DELIVERED);
          if (!result.runId().isEmpty()) {
            runs.add(result.runId()); // empty: signalled "the current run" after losing the race
          }
        }
        assertThat(runs).as("every dispatch that knows its run names the same one").hasSize(1);
        var open =
            stack
                .client()
                .getWorkflowServiceStubs()
                .blockingStub()
                .listOpenWorkflowExecutions(
                    io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest
                        .newBuilder()
                        .setNamespace("default")
                        .setMaximumPageSize(100)
                        .setExecutionFilter(
                            io.temporal.api.filter.v1.WorkflowExecutionFilter.newBuilder()
                                .setWorkflowId(request.workflowId()))
                        .build())
                .getExecutionsList();
        assertThat(open).as("one run for the problem").hasSize(1);
        RemediationStatus status =
            stack
                .client()
                .newUntypedWorkflowStub(request.workflowId())
                .query("status", RemediationStatus.class);
        assertThat(status.notices()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
