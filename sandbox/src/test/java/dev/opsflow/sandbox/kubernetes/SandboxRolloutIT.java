package dev.opsflow.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
}
