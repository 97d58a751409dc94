package dev.opsflow.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's stand-in controller reacts to a changed Deployment as it changes (a watch), as the
 * real Deployment controller does, rather than at its next full pass: a rollout restart is rolled
 * out (new pods, status complete for the new generation) in well under the full pass's period.
 */
class SandboxRolloutIT {
  private static final String NS = "demo";
  private static KubernetesSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = KubernetesSandbox.start();
    sandbox.seedDemo(NS);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static Deployment read(String name) {
    return sandbox.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static boolean rolledOut(String name, String hash) {
    Deployment d = read(name);
    return d.getStatus() != null
        && d.getStatus().getObservedGeneration() != null
        && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration()
        && sandbox.client().pods().inNamespace(NS).withLabel("app", name).list().getItems().stream()
            .allMatch(p -> hash.equals(p.getMetadata().getLabels().get("pod-template-hash")));
  }

  @Test
  void aRestartedDeploymentIsRolledOutWithoutWaitingForTheFullPass() throws Exception {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String name = "restart-" + i;
      String stamp = "2026-01-01T00:00:0" + i + "Z";
      sandbox.createDeployment(NS, name, 2, "64Mi", "128Mi");
      sandbox.reconcile();
      long started = System.nanoTime();
      Deployment restarted =
          sandbox
              .client()
              .apps()
              .deployments()
              .inNamespace(NS)
              .withName(name)
              .edit(
                  d -> {
                    var meta = d.getSpec().getTemplate().getMetadata();
                    var annotations =
                        meta.getAnnotations() == null
                            ? new HashMap<String, String>()
                            : new HashMap<>(meta.getAnnotations());
                    annotations.put("kubectl.kubernetes.io/restartedAt", stamp);
                    meta.setAnnotations(annotations);
                    return d;
                  });
      String hash = KubernetesSandbox.templateHash(restarted.getSpec().getTemplate());
      long deadline = started + TimeUnit.SECONDS.toNanos(10);
      while (!rolledOut(name, hash) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(rolledOut(name, hash)).as(name + " rolled out").isTrue();
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    Collections.sort(millis);
    // The full pass runs every second; a watch-driven rollout is done in a few tens of ms.
    assertThat(millis.get(2)).as("median rollout of " + millis + " ms").isLessThan(700L);
  }
}
