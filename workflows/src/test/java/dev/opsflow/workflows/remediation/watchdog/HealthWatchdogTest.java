package dev.opsflow.workflows.remediation.watchdog;

import static dev.opsflow.workflows.remediation.RemediationTestKit.lag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.HealthWatchdog;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.contracts.remediation.WatchdogStatus;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthWatchdogTest {
  private static final Target TARGET =
      new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aLaggingGroupStartsOneRemediationThroughTheDispatchPathAcrossIterations() {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 20_000, "orders", 6));
    // The remediation it starts acts, the lag stays, it escalates and holds its cooldown.
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(RemediationTestKit.deployment("demo", "orders-consumer", 1, "256Mi", "512Mi"));
    when(kit.k8s.scaleDeployment(any()))
        .thenReturn(new dev.opsflow.activities.kubernetes.ScaleResult(1, 6, true));
    when(kit.k8s.waitForRollout(any(), any(), org.mockito.ArgumentMatchers.anyLong()))
        .thenReturn(RemediationTestKit.deployment("demo", "orders-consumer", 6, "256Mi", "512Mi"));
    kit.start();
    HealthWatchdog watchdog =
        kit.client.newWorkflowStub(
            HealthWatchdog.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(WatchdogInput.workflowId("kafka"))
                .setTaskQueue(TaskQueues.OPERATIONS)
                .build());
    WorkflowClient.start(
        watchdog::watch,
        new WatchdogInput("kafka", List.of(TARGET), RemediationTestKit.policy(), 0, Map.of()));

    // Three check intervals (60 s each) pass.
    kit.env.sleep(Duration.ofSeconds(185));

    WatchdogStatus status = watchdog.status();
    assertThat(status.iteration()).isGreaterThanOrEqualTo(3);
    String remediation =
        new RemediationRequest(
                "KafkaLagRemediation",
                TARGET,
                new RunEnvelope("high", null, RemediationRequest.AUTOMATON, null),
                null,
                RemediationTestKit.policy())
            .workflowId();
    assertThat(status.problems()).containsExactly(remediation);
    assertThat(status.errors()).isEmpty();
    RemediationStatus healing =
        kit.client.newUntypedWorkflowStub(remediation).query("status", RemediationStatus.class);
    assertThat(healing.procedure()).isEqualTo("KafkaLagRemediation");
    assertThat(healing.notices())
        .as("every re-detection of one streak is the same episode")
        .isEqualTo(1);
  }

  @Test
  void aFailingCheckIsReportedAndTheWatchdogKeepsRunning() {
    when(kit.kafka.consumerGroupLag(any()))
        .thenThrow(
            io.temporal.failure.ApplicationFailure.newNonRetryableFailure(
                "group orders not found", "NotFound"));
    kit.start();
    HealthWatchdog watchdog =
        kit.client.newWorkflowStub(
            HealthWatchdog.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(WatchdogInput.workflowId("kafka"))
                .setTaskQueue(TaskQueues.OPERATIONS)
                .build());
    WorkflowClient.start(
        watchdog::watch,
        new WatchdogInput("kafka", List.of(TARGET), RemediationTestKit.policy(), 0, Map.of()));
    kit.env.sleep(Duration.ofSeconds(125));

    WatchdogStatus status = watchdog.status();
    assertThat(status.iteration()).isGreaterThanOrEqualTo(2);
    assertThat(status.problems()).isEmpty();
    assertThat(status.errors()).singleElement().asString().contains("group orders not found");
  }
}
