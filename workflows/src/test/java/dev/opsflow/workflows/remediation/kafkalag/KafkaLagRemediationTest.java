package dev.opsflow.workflows.remediation.kafkalag;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.lag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.ScaleResult;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaLagRemediationTest {
  private static final Target TARGET =
      new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  private RemediationRequest request(HealingPolicy policy) {
    return RemediationTestKit.request(
        "KafkaLagRemediation",
        TARGET,
        "high",
        policy,
        firing("KafkaConsumerLagHigh", "2026-11-23T10:00:00Z"));
  }

  @Test
  void scalesConsumersButNeverAboveMax() {
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(
            lag("orders", 90_000, "orders", 50),
            lag("orders", 90_000, "orders", 50),
            lag("orders", 100, "orders", 50));
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(deployment("demo", "orders-consumer", 1, "256Mi", "512Mi"));
    when(kit.k8s.scaleDeployment(any())).thenReturn(new ScaleResult(1, 10, true));
    when(kit.k8s.waitForRollout(eq("demo"), eq("orders-consumer"), any(Long.class)))
        .thenReturn(deployment("demo", "orders-consumer", 10, "256Mi", "512Mi"));
    kit.start();

    RemediationRequest request = request(RemediationTestKit.policy());
    kit.dispatch(request);
    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1))
        .scaleDeployment(
            argThat(
                s ->
                    s.replicas() == 10
                        && s.namespace().equals("demo")
                        && s.name().equals("orders-consumer")));
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.action()).isEqualTo("scale_kafka_consumers");
              assertThat(a.success()).isTrue();
              assertThat(a.detail()).contains("replicas 1 -> 10");
            });
  }

  @Test
  void resolvedAlertCancelsPendingAction() {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 20_000, "orders", 6));
    kit.start();
    RemediationRequest request = request(RemediationTestKit.policy());
    kit.dispatch(request);
    // Still confirming (high severity waits CONFIRM_DELAY_HIGH): the alert resolves meanwhile.
    kit.env.sleep(Duration.ofSeconds(10));
    kit.dispatcher.dispatch(
        new RemediationRequest(
            request.procedure(),
            TARGET,
            new RunEnvelope(
                "high",
                RemediationTestKit.resolved("KafkaConsumerLagHigh", "2026-11-23T10:00:00Z"),
                RemediationRequest.AUTOMATON,
                null),
            null,
            request.policy()));

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.NOT_NEEDED);
    assertThat(outcome.detail()).contains("resolved");
    verify(kit.k8s, never()).scaleDeployment(any());
    assertThat(outcome.actions()).isEmpty();
  }

  @Test
  void atTheCeilingItEscalatesInsteadOfScaling() {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 50_000, "orders", 6));
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(deployment("demo", "orders-consumer", 6, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest request = request(RemediationTestKit.policy());
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("already has 6 replicas", "partitions 6");
    verify(kit.k8s, never()).scaleDeployment(any());
    verify(kit.notify).postSlack(argThat(m -> m.text().contains(request.workflowId())));
    verify(kit.notify)
        .pagerDuty(
            argThat(
                e ->
                    e.dedupKey().equals(request.workflowId())
                        && e.eventAction().equals("trigger")));
  }

  @Test
  void lagThatPersistsAfterScalingEscalates() {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 20_000, "orders", 6));
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(deployment("demo", "orders-consumer", 1, "256Mi", "512Mi"));
    when(kit.k8s.scaleDeployment(any())).thenReturn(new ScaleResult(1, 6, true));
    when(kit.k8s.waitForRollout(eq("demo"), eq("orders-consumer"), any(Long.class)))
        .thenReturn(deployment("demo", "orders-consumer", 6, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest request = request(RemediationTestKit.policy());
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("lag still above 15000 after scaling to 6");
    verify(kit.k8s, times(1)).scaleDeployment(any());
    assertThat(outcome.escalations())
        .containsExactly(
            "slack: posted to #ops",
            "pagerduty: triggered (dedup_key " + request.workflowId() + ")");
  }
}
