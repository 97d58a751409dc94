package dev.opsflow.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's stand-in controller reacts to a Deployment as it changes (a watch), as the real
 * Deployment controller does, not only at its full pass. Here the full pass is an hour away, so a
 * rollout that completes can only have come from the watch.
 */
class SandboxRolloutIT {
  private static final String NS = "demo";
  private static KubernetesSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = KubernetesSandbox.start(Duration.ofHours(1));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static Deployment read(String name) {
    return sandbox.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static List<Pod> pods(String name) {
    return sandbox.client().pods().inNamespace(NS).withLabel("app", name).list().getItems();
  }

  /** The status reports the Deployment's generation and every pod runs {@code hash}. */
  private static boolean rolledOut(String name, String hash, int replicas) {
    Deployment d = read(name);
    List<Pod> pods = pods(name);
    return d.getStatus() != null
        && d.getStatus().getObservedGeneration() != null
        && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration()
        && Integer.valueOf(replicas).equals(d.getStatus().getUpdatedReplicas())
        && pods.size() == replicas
        && pods.stream()
            .allMatch(p -> hash.equals(p.getMetadata().getLabels().get("pod-template-hash")));
  }

  private static void awaitRolledOut(String name, String hash, int replicas)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!rolledOut(name, hash, replicas) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(rolledOut(name, hash, replicas))
        .as(name + " rolled out to " + replicas + " pods of " + hash + " with no full pass")
        .isTrue();
  }

  @Test
  void aNewRestartedAndScaledDeploymentIsRolledOutByTheWatchAlone() throws Exception {
    Deployment created = sandbox.createDeployment(NS, "watched", 2, "64Mi", "128Mi");
    String createdHash = KubernetesSandbox.templateHash(created.getSpec().getTemplate());
    awaitRolledOut("watched", createdHash, 2);

    // As `kubectl rollout restart` does: a restartedAt annotation on the pod template.
    Deployment restarted =
        sandbox
            .client()
            .apps()
            .deployments()
            .inNamespace(NS)
            .withName("watched")
            .rolling()
            .restart();
    String hash = KubernetesSandbox.templateHash(restarted.getSpec().getTemplate());
    assertThat(hash).as("the restart changed the pod template").isNotEqualTo(createdHash);
    awaitRolledOut("watched", hash, 2);

    sandbox.client().apps().deployments().inNamespace(NS).withName("watched").scale(3);
    awaitRolledOut("watched", hash, 3);
  }

  private static String restart(String name) {
    Deployment restarted =
        sandbox.client().apps().deployments().inNamespace(NS).withName(name).rolling().restart();
    return KubernetesSandbox.templateHash(restarted.getSpec().getTemplate());
  }

  /**
   * A burst of restarts (as 200 remediations at once make) is rolled out by several syncs at once,
   * as kube-controller-manager's concurrent Deployment syncs do, not one Deployment after another:
   * the first two Deployments' rollouts can only finish if they are in hand at the same time (each
   * waits for the other). One Deployment is never in two syncs' hands, however fast its events
   * come.
   */
  @Test
  void aBurstOfRestartsRollsOutSeveralAtOnceAndEachDeploymentInOneSyncAtATime() throws Exception {
    int deployments = 12;
    Map<String, AtomicInteger> inHand = new ConcurrentHashMap<>();
    AtomicInteger mostInHandOfOne = new AtomicInteger();
    CountDownLatch firstTwoIn = new CountDownLatch(2);
    Map<String, Boolean> metTheOther = new ConcurrentHashMap<>();
    for (int i = 0; i < deployments; i++) {
      String name = "burst-" + i;
      Deployment created = sandbox.createDeployment(NS, name, 1, "64Mi", "128Mi");
      awaitRolledOut(name, KubernetesSandbox.templateHash(created.getSpec().getTemplate()), 1);
      boolean pairs = i < 2;
      sandbox.onRollout(
          NS,
          name,
          replicas -> {
            AtomicInteger mine = inHand.computeIfAbsent(name, k -> new AtomicInteger());
            mostInHandOfOne.accumulateAndGet(mine.incrementAndGet(), Math::max);
            try {
              if (pairs) {
                firstTwoIn.countDown();
                // Its first rollout only: later ones find the latch open.
                metTheOther.putIfAbsent(name, firstTwoIn.await(10, TimeUnit.SECONDS));
              } else {
                Thread.sleep(20); // holds the sync, so that this Deployment's next events queue
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              mine.decrementAndGet();
            }
          });
    }

    String[] hashes = new String[deployments];
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < deployments; i++) {
        hashes[i] = restart("burst-" + i);
      }
    }
    for (int i = 0; i < deployments; i++) {
      awaitRolledOut("burst-" + i, hashes[i], 1);
    }
    assertThat(metTheOther)
        .as("each of the first two Deployments' rollouts met the other's while in hand")
        .containsEntry("burst-0", true)
        .containsEntry("burst-1", true);
    assertThat(mostInHandOfOne.get())
        .as("most syncs that had one Deployment in hand at once")
        .isEqualTo(1);
    assertThat(inHand).as("every Deployment's rollout reached its listener").hasSize(deployments);
  }
}
