package dev.opsflow.worker.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.kafka.KafkaActivitiesImpl;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker becomes unreachable in the middle of a lag remediation: after the run confirmed
 * the lag and the governor admitted it, just as it reads the lag again to size the scale-out. The
 * broker advertises a {@link TcpRelay}'s port, so every connection of the AdminClient (bootstrap
 * and broker) goes through the link the test cuts; the broker keeps running behind it.
 *
 * <p>The lag is read under {@code KafkaOptions.READ_KAFKA}: at most 5 attempts, 2 s doubling to 30
 * s, within 3 minutes. The worker's AdminClient gives up a call after 3 s here instead of {@code
 * KafkaActivitiesImpl.DEFAULT_API_TIMEOUT} (15 s), so five attempts against a dead broker take
 * seconds; the retry budget is the production one.
 */
class KafkaOutageIT {
  private static final String NS = "demo";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

  private static TcpRelay broker;
  private static EmbeddedKafka kafka;
  private KubernetesSandbox kubernetes;
  private OutageStage stage;
  private final List<ApiRequest> writesByOpsflow = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = TcpRelay.open();
    kafka = EmbeddedKafka.startAdvertising(broker.port(), broker::forwardTo);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
    broker.close();
  }

  @BeforeEach
  void start() throws Exception {
    kubernetes = KubernetesSandbox.start();
    kubernetes.client().namespaces().resource(namespace()).create();
    kubernetes.onRequest(
        r -> {
          if (r.byOpsflow() && r.mutating() && r.resource().equals("deployments")) {
            writesByOpsflow.add(r);
          }
        });
    String bootstrap = "127.0.0.1:" + broker.port();
    stage =
        new OutageStage(
            Map.of(
                "KUBECONFIG",
                kubernetes.writeKubeconfig(Files.createTempDirectory("kafka-outage-it")).toString(),
                "KUBERNETES_ALLOWED_NAMESPACES",
                NS,
                "KAFKA_BOOTSTRAP_SERVERS",
                bootstrap),
            implementations -> {
              List<Object> swapped = new ArrayList<>();
              for (Object impl : implementations) {
                swapped.add(
                    impl instanceof KafkaActivitiesImpl
                        ? new KafkaActivitiesImpl(
                            KafkaActivitiesImpl.createAdmin(bootstrap, CALL_TIMEOUT), CALL_TIMEOUT)
                        : impl);
              }
              return swapped;
            });
  }

  @AfterEach
  void stop() throws Exception {
    stage.close();
    kubernetes.close();
    broker.restore();
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace() {
    return new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata()
        .withName(NS)
        .endMetadata()
        .build();
  }

  /** A consumer Deployment of one replica whose group lags 20,000 records on 6 partitions. */
  private RemediationRequest lagging(String name) {
    kafka.seedLaggingGroup(name, 6, name + "-group", 20_000, 0);
    kubernetes.createDeployment(NS, name, 1, "64Mi", "128Mi");
    kubernetes.reconcile();
    // The consumer application: once scaled out, its consumers catch up with the backlog.
    kubernetes.onRollout(
        NS,
        name,
        replicas -> {
          if (replicas > 1) {
            kafka.commitOffsets(name + "-group", name, EmbeddedKafka.spread(20_000, 6));
          }
        });
    return new RemediationRequest(
        "KafkaLagRemediation",
        new ConsumerGroupTarget(NS, name, name + "-group", name),
        new RunEnvelope(
            "critical",
            OutageStage.firing("KafkaConsumerLagHigh"),
            RemediationRequest.AUTOMATON,
            null),
        null,
        null);
  }

  private int replicas(String name) {
    return kubernetes
        .client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(name)
        .get()
        .getSpec()
        .getReplicas();
  }

  @Test
  void aBrokerCutAfterAdmissionComesBackAndTheConsumersAreScaledOnce() {
    RemediationRequest request = lagging("orders-back");
    // The second lag reading is the one after admission; the first confirmed the problem.
    stage.script.before("ConsumerGroupLag", 2, 1, broker::cut);
    stage.script.before("ConsumerGroupLag", 2, 3, broker::restore);

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(stage.attempts(request.workflowId(), "ConsumerGroupLag"))
        .as("confirm, the reading retried through the outage, verify")
        .containsExactly(1, 3, 1);
    assertThat(replicas("orders-back")).isEqualTo(6);
    assertThat(writesByOpsflow).as("one scale, never a second").hasSize(1);
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).startsWith("replicas 1 -> 6 (lag 20000)"));
    assertThat(stage.pagerDutyEvents).as("fixed without paging anyone").isEmpty();
    stage.awaitSlotReleased(request.workflowId());
  }

  @Test
  void aBrokerAwayDuringVerificationEscalatesAsUnverifiedNotAsStillLagging() {
    RemediationRequest request = lagging("orders-unseen");
    // The third reading is the verification, after the scale-out.
    stage.script.before("ConsumerGroupLag", 3, 1, broker::cut);

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail())
        .startsWith("could not verify the scale-out of demo/orders-unseen")
        .contains("[KafkaUnavailable]")
        .doesNotContain("lag still above");
    assertThat(stage.attempts(request.workflowId(), "ConsumerGroupLag")).containsExactly(1, 1, 5);
    assertThat(replicas("orders-unseen")).as("the scale-out stays; a human decides").isEqualTo(6);
    assertThat(writesByOpsflow).hasSize(1);
    assertThat(stage.slackTexts)
        .anySatisfy(
            t ->
                assertThat(t)
                    .contains(request.workflowId())
                    .contains("could not verify")
                    .contains("[KafkaUnavailable]"));
    stage.awaitSlotReleased(request.workflowId());
  }

  @Test
  void aBrokerAwayPastTheRetryBudgetFailsTheRunWithTheReasonAndReleasesTheSlot() {
    RemediationRequest request = lagging("orders-gone");
    stage.script.before("ConsumerGroupLag", 2, 1, broker::cut);

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FAILED);
    assertThat(outcome.detail()).contains("failed in phase").contains("[KafkaUnavailable]");
    assertThat(stage.attempts(request.workflowId(), "ConsumerGroupLag"))
        .as("every attempt of READ_KAFKA, then no more")
        .containsExactly(1, 5);
    assertThat(replicas("orders-gone")).as("not scaled on a stale reading").isEqualTo(1);
    assertThat(writesByOpsflow).isEmpty();
    assertThat(stage.slackTexts)
        .anySatisfy(
            t -> assertThat(t).contains(request.workflowId()).contains("[KafkaUnavailable]"));
    assertThat(stage.pagerDutyEvents)
        .anySatisfy(
            e -> {
              assertThat(e.path("dedup_key").asText()).isEqualTo(request.workflowId());
              assertThat(e.path("payload").path("summary").asText()).contains("KafkaUnavailable");
            });
    stage.awaitSlotReleased(request.workflowId());
  }
}
