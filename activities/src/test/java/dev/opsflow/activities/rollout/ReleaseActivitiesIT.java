package dev.opsflow.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ReleaseActivitiesImpl} and {@link ReplicaRatioRouter} against fabric8's CRUD mock API
 * server, with a loop standing in for the Deployment controller (every desired pod ready): what
 * each call writes to which Deployment, in which order, and that a second call changes nothing.
 */
class ReleaseActivitiesIT {
  private static final String NS = "shop";
  private static final RolloutTarget WEB = new RolloutTarget(NS, "web", "web", null, "web:2");
  private static final TrafficRouterSpec RATIO = new TrafficRouterSpec.ReplicaRatio();

  private KubernetesMockServer server;
  private KubernetesClient client;
  private Thread controller;
  private volatile boolean running = true;
  private int taken;
  private ReleaseActivitiesImpl release;
  private ReplicaRatioRouter router;

  @BeforeEach
  void start() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    stable("web", 10);
    release = activities(List.of(NS), 50);
    router = new ReplicaRatioRouter(pair(List.of(NS), 50), 20);
    controller = new Thread(this::reconcile, "fake-controller");
    controller.setDaemon(true);
    controller.start();
  }

  @AfterEach
  void stop() {
    running = false;
    controller.interrupt();
    client.close();
    server.destroy();
  }

  private CanaryPair pair(List<String> namespaces, int maxReplicas) {
    NamespaceAllowList allowed = new NamespaceAllowList(namespaces);
    HardLimits limits = new HardLimits(maxReplicas, "8Gi");
    return new CanaryPair(
        client, new KubernetesActivitiesImpl(client, allowed, limits), allowed, limits);
  }

  private ReleaseActivitiesImpl activities(List<String> namespaces, int maxReplicas) {
    return new ReleaseActivitiesImpl(
        pair(namespaces, maxReplicas), new RolloutSettings(3600, 30, 3600, false), 20);
  }

  private void stable(String name, int replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(Map.of("app", name, "team", "shop"))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .withContainers(
                    new ContainerBuilder()
                        .withName("app")
                        .withImage("web:1")
                        .withEnv(new EnvVar("MODE", "prod", null))
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void reconcile() {
    while (running) {
      try {
        for (Deployment d : client.apps().deployments().inNamespace(NS).list().getItems()) {
          int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
          var s = d.getStatus();
          if (s != null
              && Objects.equals(s.getReadyReplicas(), want)
              && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())) {
            continue;
          }
          client
              .apps()
              .deployments()
              .inNamespace(NS)
              .withName(d.getMetadata().getName())
              .editStatus(
                  x -> {
                    x.setStatus(
                        new DeploymentStatusBuilder()
                            .withObservedGeneration(x.getMetadata().getGeneration())
                            .withReplicas(want)
                            .withUpdatedReplicas(want)
                            .withReadyReplicas(want)
                            .withAvailableReplicas(want)
                            .build());
                    return x;
                  });
        }
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // raced a write, or the server is closing: the next round catches up
      }
    }
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private int replicas(String name) {
    return deployment(name).getSpec().getReplicas();
  }

  private ReleaseRequest request(String actionId, int weight) {
    return new ReleaseRequest(actionId, "rollout-shop.web", WEB, weight);
  }

  /**
   * The Deployments opsflow patched since the last call (its writes name {@code
   * fieldManager=opsflow}; the fake controller's status writes do not), oldest first.
   */
  private List<String> scalePatches() throws InterruptedException {
    // Only the requests made so far: the fake controller keeps reading every 20 ms, so draining
    // until the queue is quiet could wait for a lull that never comes.
    List<String> patched = new ArrayList<>();
    int made = server.getRequestCount();
    for (; taken < made; taken++) {
      RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
      if (r == null) {
        break;
      }
      String line = r.getRequestLine();
      if (line.startsWith("PATCH") && line.contains("fieldManager=opsflow")) {
        String path = line.substring(line.indexOf("/deployments/") + "/deployments/".length());
        patched.add(path.split("[?/ ]")[0]);
      }
    }
    return patched;
  }

  @Test
  void theCanaryIsACopyOfTheStablesTemplateWithTheNewImageMarkedAsOpsflowsCanary() {
    ReleaseState state = release.deployCanary(request("d1", 0));

    Deployment canary = deployment("web-canary");
    assertThat(state.changed()).isTrue();
    assertThat(state.capacity()).isEqualTo(10);
    assertThat(canary.getSpec().getReplicas()).isZero();
    var container = canary.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("web:2");
    assertThat(container.getEnv()).extracting(EnvVar::getValue).containsExactly("prod");
    assertThat(canary.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("app", "web")
        .containsEntry(CanaryPair.TRACK, "canary");
    assertThat(canary.getSpec().getSelector().getMatchLabels())
        .containsEntry("app", "web")
        .containsEntry(CanaryPair.TRACK, "canary");
    assertThat(canary.getMetadata().getLabels())
        .containsEntry(CanaryPair.MANAGED_BY, "opsflow")
        .containsEntry(CanaryPair.CANARY_OF, "web");
    assertThat(canary.getMetadata().getAnnotations())
        .containsEntry(CanaryPair.ROLLOUT, "rollout-shop.web")
        .containsEntry(CanaryPair.STABLE_REPLICAS_BEFORE, "10")
        .containsEntry(CanaryPair.STABLE_IMAGE_BEFORE, "web:1");
    assertThat(
            deployment("web").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the stable is untouched")
        .isEqualTo("web:1");
    assertThat(release.deployCanary(request("d2", 0)).changed())
        .as("a second deploy of the same release changes nothing")
        .isFalse();
  }

  @Test
  void aReplicaRatioWeightKeepsTheTotalAndGrowsOneSideBeforeTheOtherShrinks() throws Exception {
    release.deployCanary(request("d1", 0));
    scalePatches();

    RouterState quarter = router.setWeight(new WeightRequest("w1", WEB, RATIO, 25));
    assertThat(replicas("web-canary")).isEqualTo(3); // ceil(10 * 25%)
    assertThat(replicas("web")).isEqualTo(7);
    assertThat(quarter.canaryWeight()).isEqualTo(30);
    assertThat(quarter.changed()).isTrue();
    assertThat(scalePatches()).containsExactly("web-canary", "web");

    // A retry of the same action reports the first attempt's change and writes nothing; another
    // action that finds the weight set changes nothing and says so.
    assertThat(router.setWeight(new WeightRequest("w1", WEB, RATIO, 25)).canaryWeight())
        .isEqualTo(30);
    assertThat(router.setWeight(new WeightRequest("w2", WEB, RATIO, 25)).changed()).isFalse();
    assertThat(scalePatches()).isEmpty();
    assertThat(replicas("web-canary")).isEqualTo(3);

    RouterState back = router.setWeight(new WeightRequest("w3", WEB, RATIO, 0));
    assertThat(replicas("web")).isEqualTo(10);
    assertThat(replicas("web-canary")).isZero();
    assertThat(back.canaryWeight()).isZero();
    assertThat(scalePatches())
        .as("the stable grows back first")
        .containsExactly("web", "web-canary");
    assertThat(router.readWeight(WEB, RATIO).stableWeight()).isEqualTo(100);
  }

  @Test
  void promotionGivesTheStableTheNewImageAtFullCapacityAndRecordsTheImageBefore() {
    release.deployCanary(request("d1", 0));
    router.setWeight(new WeightRequest("w1", WEB, RATIO, 100));
    assertThat(replicas("web")).isZero();

    ReleaseState promoted = release.promote(request("p1", 100));

    Deployment stable = deployment("web");
    assertThat(promoted.changed()).isTrue();
    assertThat(stable.getSpec().getReplicas()).isEqualTo(10);
    assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("web:2");
    assertThat(stable.getMetadata().getAnnotations())
        .containsEntry(CanaryPair.PROMOTE_ACTION, "p1")
        .containsEntry(CanaryPair.PROMOTE_PREVIOUS_IMAGE, "web:1");
    assertThat(replicas("web-canary")).as("the workflow moves traffic first").isEqualTo(10);
    assertThat(release.promote(request("p1", 100)).changed()).isFalse();
    assertThat(release.scaleCanaryDown(request("s1", 0)).canaryReplicas()).isZero();
    assertThat(release.scaleCanaryDown(request("s2", 0)).changed()).isFalse();
  }

  @Test
  void restoringTheStableBringsBackItsReplicasFromBeforeTheRollout() {
    release.deployCanary(request("d1", 0));
    release.scaleCanary(request("c1", 50));
    router.setWeight(new WeightRequest("w1", WEB, RATIO, 50));
    assertThat(replicas("web")).isEqualTo(5);

    ReleaseState restored = release.restoreStable(request("r1", 0));

    assertThat(restored.stableReplicas()).isEqualTo(10);
    assertThat(restored.stableReady()).isEqualTo(10);
    assertThat(replicas("web-canary")).as("traffic moves off the canary next").isEqualTo(5);
  }

  @Test
  void aCanaryThatIsNotOpsflowsIsNeverChanged() {
    stable("web-canary", 2);

    ApplicationFailure refused =
        catchThrowableOfType(
            () -> release.deployCanary(request("d1", 0)), ApplicationFailure.class);

    assertThat(refused.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
    assertThat(refused.getOriginalMessage()).contains("not opsflow's canary of web");
    assertThat(replicas("web-canary")).isEqualTo(2);
    assertThat(
            deployment("web-canary")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("web:1");
  }

  @Test
  void aNamespaceOutsideTheAllowListAndAStableAboveTheReplicaCeilingAreRefused() {
    ApplicationFailure forbidden =
        catchThrowableOfType(
            () -> activities(List.of("other"), 50).deployCanary(request("d1", 0)),
            ApplicationFailure.class);
    assertThat(forbidden.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
    assertThat(forbidden.getOriginalMessage()).contains("kubernetes.allowedNamespaces");

    ApplicationFailure ceiling =
        catchThrowableOfType(
            () -> activities(List.of(NS), 5).deployCanary(request("d1", 0)),
            ApplicationFailure.class);
    assertThat(ceiling.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(ceiling.getOriginalMessage()).contains("healing.maxReplicas");
    assertThat(deployment("web-canary")).as("nothing created").isNull();
  }

  @Test
  void sharesOfCapacityKeepBothVersionsServingUntilOneHundred() {
    assertThat(CanaryPair.canaryShare(20, 5)).isEqualTo(1);
    assertThat(CanaryPair.stableShare(20, 5)).isEqualTo(19);
    assertThat(CanaryPair.canaryShare(10, 25)).isEqualTo(3);
    assertThat(CanaryPair.canaryShare(1, 5)).isEqualTo(1);
    assertThat(CanaryPair.stableShare(1, 5)).as("the stable keeps a pod below 100%").isEqualTo(1);
    assertThat(CanaryPair.canaryShare(10, 100)).isEqualTo(10);
    assertThat(CanaryPair.stableShare(10, 100)).isZero();
    assertThat(CanaryPair.canaryShare(10, 0)).isZero();
    assertThat(CanaryPair.stableShare(10, 0)).isEqualTo(10);
  }
}
