package dev.opsflow.contracts.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A runbook execution's input travels through Temporal's own converter with its pinned definition
 * intact (every step kind keeps its type), and its workflow IDs follow one rule.
 */
class RunbookRequestJsonTest {
  private static final DataConverter TEMPORAL = DefaultDataConverter.STANDARD_INSTANCE;

  @Test
  void aPinnedDefinitionWithEveryStepKindSurvivesTheRunsInput() {
    RunbookDefinition definition =
        new RunbookDefinition(
            "demo",
            "Demo",
            null,
            "3",
            List.of("critical"),
            null,
            null,
            null,
            null,
            null,
            5,
            Map.of("replicas", 3),
            "probe",
            List.of(
                new CheckStep(
                    "probe",
                    null,
                    "http.probe",
                    Map.of("url", "http://x"),
                    null,
                    "10s",
                    new RetryPolicy(2, "1s", null),
                    "decide",
                    "tell"),
                new DecisionStep(
                    "decide",
                    null,
                    List.of(new DecisionBranch("big", "input.size > 3", "each")),
                    "wait"),
                new LoopStep("each", null, "[1, 2]", null, null, "scale", 5, 2, "both", null),
                new ActionStep(
                    "scale",
                    null,
                    "kubernetes.scale",
                    Map.of("replicas", "{{ item }}"),
                    null,
                    null,
                    null,
                    null),
                new ParallelStep("both", null, List.of("tell", "wait"), null, null, "ask", null),
                new ApprovalStep(
                    "ask", null, "ok?", List.of("bob"), 1, true, "5m", null, null, null),
                new NotifyStep(
                    "tell", null, NotifyStep.Channel.AUDIT_LOG, null, "hi", null, null, null),
                new WaitStep("wait", null, "1m", null)));
    RunbookRequest request =
        new RunbookRequest(
            new PinnedRunbook("demo.yaml", "ab12", "id: demo", definition),
            Map.of("service", "orders"),
            true,
            List.of("probe"),
            "alice",
            null);

    Payload payload = TEMPORAL.toPayload(request).orElseThrow();
    RunbookRequest read = TEMPORAL.fromPayload(payload, RunbookRequest.class, RunbookRequest.class);

    assertThat(read.runbook().definition().steps())
        .extracting(s -> s.getClass().getSimpleName())
        .containsExactly(
            "CheckStep",
            "DecisionStep",
            "LoopStep",
            "ActionStep",
            "ParallelStep",
            "ApprovalStep",
            "NotifyStep",
            "WaitStep");
    assertThat(read.runbook().sha256()).isEqualTo("ab12");
    assertThat(read.dryRun()).isTrue();
    assertThat(read.simulatesFailureOf("probe")).isTrue();
    assertThat(read.context()).containsEntry("service", "orders");
    assertThat(read.by()).isEqualTo("alice");
  }

  @Test
  void nobodyNamedIsTheAutomatonAndNullListsAreEmpty() {
    RunbookRequest request = new RunbookRequest(null, null, false, null, " ", "");

    assertThat(request.by()).isEqualTo(RunbookRequest.AUTOMATON);
    assertThat(request.simulateFailures()).isEmpty();
    assertThat(request.context()).isEmpty();
    assertThat(request.severity()).isNull();
  }

  @Test
  void workflowIdsAreTheRunbookAndTheCallersKeyAndADryRunIsMarked() {
    assertThat(RunbookNames.workflowId("high-error-rate", "fp1"))
        .isEqualTo("runbook-high-error-rate-fp1");
    assertThat(RunbookNames.dryRunWorkflowId("high-error-rate", "fp1"))
        .isEqualTo("runbook-high-error-rate-dry-run-fp1");
    assertThatThrownBy(() -> RunbookNames.workflowId("x", " "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
