package dev.opsflow.workflows;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.activities.diagnostics.ConnectivityOptions;
import dev.opsflow.contracts.diagnostics.ConnectivityCheck;
import dev.opsflow.contracts.diagnostics.ConnectivityCheckInput;
import dev.opsflow.contracts.diagnostics.ConnectivityReport;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import dev.opsflow.workflows.diagnostics.ConnectivityCheckImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replay guard is itself tested (as samples-java's {@code HelloActivityReplayTest} does): a
 * saved history replayed against a deliberately changed implementation of the same workflow type
 * must fail with {@link NonDeterministicException}, so {@link HistoriesReplayTest} fails the build
 * on such a change instead of passing it.
 *
 * <p>Saved histories are append-only (see {@code src/test/resources/histories/README.md}): a change
 * to a workflow that may be running keeps every old history replaying by branching on {@code
 * Workflow.getVersion}, and the history of the new path is recorded next to the old ones, never
 * over them.
 */
class NonDeterministicChangeReplayTest {
  private static final String HISTORY = "connectivitycheck/all-systems-one-down.json";
  private static WorkflowExecutionHistory history;

  @BeforeAll
  static void readHistory() throws IOException {
    history =
        WorkflowExecutionHistory.fromJson(
            Files.readString(HistoriesReplayTest.HISTORIES.resolve(HISTORY)));
  }

  @Test
  void theUnchangedConnectivityCheckReplaysTheHistory() {
    // The control: the history and the real code agree, so the failures below come from the
    // changes alone.
    assertThatCode(
            () -> WorkflowReplayer.replayWorkflowExecution(history, ConnectivityCheckImpl.class))
        .doesNotThrowAnyException();
  }

  @Test
  void skippingTheTargetLookupFailsReplayAsNonDeterministic() {
    assertThatThrownBy(
            () ->
                WorkflowReplayer.replayWorkflowExecution(
                    history, ConnectivityCheckWithoutTargetLookup.class))
        .satisfies(NonDeterministicChangeReplayTest::isNonDeterminism)
        // The first activity the history scheduled is the lookup the changed code skips.
        .hasMessageContaining("event 5 of type 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'")
        .hasMessageContaining("\"ConfiguredTargets\"");
  }

  @Test
  void probingOneMoreSystemFailsReplayAsNonDeterministic() {
    assertThatThrownBy(
            () ->
                WorkflowReplayer.replayWorkflowExecution(
                    history, ConnectivityCheckWithExtraProbe.class))
        .satisfies(NonDeterministicChangeReplayTest::isNonDeterminism)
        // Where the history completed the run, the changed code schedules the extra probe.
        .hasMessageContaining("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED")
        .hasMessageContaining("COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK");
  }

  /**
   * SDK 1.38's replayer reports the failure as a RuntimeException whose message carries the
   * NonDeterministicException ({@code "query failure for ... error=io.temporal.worker.
   * NonDeterministicException: ..."}) but not as its cause; a cause is accepted too, in case a
   * later SDK keeps it.
   */
  private static void isNonDeterminism(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof NonDeterministicException
          || String.valueOf(t.getMessage())
              .contains("error=" + NonDeterministicException.class.getName() + ":")) {
        return;
      }
    }
    throw new AssertionError("expected a NonDeterministicException, got " + thrown, thrown);
  }

  /** Changed: probes a fixed target without asking the worker which systems are configured. */
  public static class ConnectivityCheckWithoutTargetLookup implements ConnectivityCheck {
    private final ConnectivityActivities connectivity =
        Workflow.newActivityStub(ConnectivityActivities.class, ConnectivityOptions.PROBE);

    @Override
    public ConnectivityReport check(ConnectivityCheckInput input) {
      ProbeResult kafka = connectivity.probe(new ProbeTarget("kafka", "localhost:9092"));
      return new ConnectivityReport(List.of(kafka), kafka.reachable());
    }

    @Override
    public ConnectivityReport status() {
      return new ConnectivityReport(List.of(), false);
    }
  }

  /** Changed: after the configured systems, probes Temporal once more before reporting. */
  public static class ConnectivityCheckWithExtraProbe implements ConnectivityCheck {
    private final ConnectivityActivities connectivity =
        Workflow.newActivityStub(ConnectivityActivities.class, ConnectivityOptions.PROBE);

    @Override
    public ConnectivityReport check(ConnectivityCheckInput input) {
      List<Promise<ProbeResult>> probes =
          connectivity.configuredTargets().stream()
              .map(t -> Async.function(connectivity::probe, t))
              .toList();
      List<ProbeResult> results = probes.stream().map(Promise::get).toList();
      connectivity.probe(new ProbeTarget("temporal", "localhost:7233"));
      return new ConnectivityReport(results, results.stream().allMatch(ProbeResult::reachable));
    }

    @Override
    public ConnectivityReport status() {
      return new ConnectivityReport(List.of(), false);
    }
  }
}
