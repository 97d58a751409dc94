package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesActivities#waitForRollout} against fabric8's CRUD mock server, where nothing but
 * the test sets a Deployment's status: the wait reads at once, then polls with short pauses that
 * double up to {@link KubernetesActivitiesImpl#ROLLOUT_MAX_POLL}, instead of a fixed 2 s.
 */
class RolloutWaitIT {
  private static final String NS = "demo";
  private CrudApiServer api;
  private KubernetesActivitiesImpl activities;

  @BeforeEach
  void start() {
    api = new CrudApiServer();
    api.namespace(NS);
    activities =
        new KubernetesActivitiesImpl(
            api.client, new NamespaceAllowList(List.of(NS)), new HardLimits(10, "8Gi"));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private void rolledOut(String name, int replicas) {
    api.client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(name)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withObservedGeneration(d.getMetadata().getGeneration())
                      .withReplicas(replicas)
                      .withUpdatedReplicas(replicas)
                      .withReadyReplicas(replicas)
                      .withAvailableReplicas(replicas)
                      .build());
              return d;
            });
  }

  private long deploymentReads(String name) throws InterruptedException {
    return api.drain().stream()
        .map(RecordedRequest::toString)
        .filter(r -> r.contains("GET /apis/apps/v1/namespaces/" + NS + "/deployments/" + name))
        .count();
  }

  @Test
  void aRolloutAlreadyCompleteIsSeenByTheFirstReadWithoutWaiting() throws Exception {
    api.deployment(NS, "done", 2, java.util.Map.of(), java.util.Map.of());
    rolledOut("done", 2);
    api.drain();

    DeploymentInfo info = activities.waitForRollout(NS, "done", 30);

    assertThat(info.rolloutComplete()).isTrue();
    assertThat(info.availableReplicas()).isEqualTo(2);
    assertThat(deploymentReads("done")).as("one read, no pause").isEqualTo(1);
  }

  @Test
  void aRolloutThatCompletesAfterTheFirstReadIsSeenWithinAShortPause() throws Exception {
    api.deployment(NS, "rolling", 3, java.util.Map.of(), java.util.Map.of());
    api.drain();
    CompletableFuture<DeploymentInfo> wait =
        CompletableFuture.supplyAsync(() -> activities.waitForRollout(NS, "rolling", 30));
    // Wait until the wait has read the incomplete Deployment once, then complete the rollout.
    long firstReads = 0;
    for (int i = 0; i < 200 && firstReads == 0; i++) {
      firstReads = deploymentReads("rolling");
    }
    assertThat(firstReads).as("the wait read the Deployment before it rolled out").isPositive();
    rolledOut("rolling", 3);
    long rolledOutAt = System.nanoTime();

    DeploymentInfo info = wait.get(10, TimeUnit.SECONDS);
    long seenAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rolledOutAt);
    assertThat(info.rolloutComplete()).isTrue();
    assertThat(info.updatedReplicas()).isEqualTo(3);
    // The next read is due within a few hundred milliseconds (a fixed poll took 2 s).
    assertThat(seenAfterMillis).isLessThan(1500);
  }

  @Test
  void aRolloutThatNeverCompletesTimesOutAtTheDeadlineAfterBackingOff() throws Exception {
    api.deployment(NS, "stuck", 2, java.util.Map.of(), java.util.Map.of());
    api.drain();
    long started = System.nanoTime();

    ApplicationFailure timeout =
        catchThrowableOfType(
            () -> activities.waitForRollout(NS, "stuck", 1), ApplicationFailure.class);

    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(timeout.getType()).isEqualTo("RolloutTimeout");
    assertThat(timeout.isNonRetryable()).isFalse();
    // Reads at 0, 50, 150, 350, 750 and 1000 ms: more than a fixed 2 s poll (2 reads), far fewer
    // than a fixed short poll would make, and the last one at the deadline, not a pause after it.
    assertThat(deploymentReads("stuck")).isBetween(4L, 8L);
    assertThat(tookMillis)
        .as("ends at the 1 s deadline, not at the next 2 s poll")
        .isLessThan(1900);
  }
}
