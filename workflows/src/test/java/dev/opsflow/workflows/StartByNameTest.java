package dev.opsflow.workflows;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.kubernetes.RestartRequest;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.remediation.CrashLoopRemediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.RawValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * tctl and the temporal CLI start a workflow by its type name with the input as raw JSON (a payload
 * with encoding json/plain). Such a run must behave exactly like one started through the typed
 * interface from the same JSON.
 */
class StartByNameTest {
  private static final Path EXAMPLE =
      Path.of("..", "examples", "inputs", "CrashLoopRemediation.json");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  private static WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(TaskQueues.OPERATIONS)
        .setWorkflowId(id)
        .setWorkflowExecutionTimeout(Duration.ofDays(1))
        .build();
  }

  @Test
  void untypedStartWithRawJsonBehavesLikeTheTypedStart() throws Exception {
    String json = Files.readString(EXAMPLE);
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")),
            List.of(pod("payments-x-2", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-2", "payments", "", "")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    kit.start();

    RemediationRequest typedInput = new ObjectMapper().readValue(json, RemediationRequest.class);
    CrashLoopRemediation typed =
        kit.client.newWorkflowStub(CrashLoopRemediation.class, options("typed"));
    WorkflowClient.start(typed::remediate, typedInput);
    RemediationOutcome typedOutcome =
        WorkflowStub.fromTyped(typed).getResult(RemediationOutcome.class);

    WorkflowStub byName =
        kit.client.newUntypedWorkflowStub("CrashLoopRemediation", options("tctl"));
    byName.start(new RawValue(OperatorReferenceTest.rawJson(json)));
    RemediationOutcome byNameOutcome = byName.getResult(RemediationOutcome.class);

    assertThat(byNameOutcome.result()).isEqualTo(typedOutcome.result());
    assertThat(byNameOutcome.detail()).isEqualTo(typedOutcome.detail());
    assertThat(byNameOutcome.actions())
        .extracting(a -> a.action() + " " + a.target() + " " + a.success() + " " + a.detail())
        .isEqualTo(
            typedOutcome.actions().stream()
                .map(a -> a.action() + " " + a.target() + " " + a.success() + " " + a.detail())
                .toList());
    ArgumentCaptor<RestartRequest> restarts = ArgumentCaptor.forClass(RestartRequest.class);
    verify(kit.k8s, times(2)).rolloutRestart(restarts.capture());
    assertThat(restarts.getAllValues())
        .extracting(r -> r.namespace() + "/" + r.name())
        .containsExactly("demo/payments", "demo/payments");
    Progress typedProgress = WorkflowStub.fromTyped(typed).query("progress", Progress.class);
    Progress byNameProgress = byName.query("progress", Progress.class);
    assertThat(byNameProgress.phase()).isEqualTo(typedProgress.phase()).isEqualTo("FIXED");
    assertThat(byNameProgress.target()).isEqualTo(typedProgress.target());
    assertThat(byNameProgress.severity()).isEqualTo(typedProgress.severity());
  }

  @Test
  void aWrongFieldTypeFailsTheStartedRunWithAMessageNamingTheField() {
    kit.start();
    WorkflowStub byName =
        kit.client.newUntypedWorkflowStub("CrashLoopRemediation", options("bad-input"));
    byName.start(
        new RawValue(
            OperatorReferenceTest.rawJson(
                "{\"procedure\":\"CrashLoopRemediation\",\"target\":\"demo/payments\"}")));
    assertThatThrownBy(() -> byName.getResult(RemediationOutcome.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("target");
  }
}
