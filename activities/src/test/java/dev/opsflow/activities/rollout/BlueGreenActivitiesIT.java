package dev.opsflow.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.contracts.rollout.RolloutTarget;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
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
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BlueGreenActivitiesImpl} against fabric8's CRUD mock API server, with a loop standing in
 * for the Deployment controller: what each call writes to which Deployment and Service, that a
 * second call changes nothing, and that the allow list, the replica ceiling and foreign objects
 * stop a change before anything is written.
 */
class BlueGreenActivitiesIT {
  private static final String NS = "shop";
  private static final RolloutTarget WEB = new RolloutTarget(NS, "web", "web", null, "web:2");
  private static final Map<String, String> PREVIEW_PODS =
      Map.of(BlueGreenActivitiesImpl.PREVIEW_OF, "web", BlueGreenActivitiesImpl.COLOUR, "preview");

  private KubernetesMockServer server;
  private KubernetesClient client;
  private Thread controller;
  private volatile boolean running = true;
  private BlueGreenActivitiesImpl colours;

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
    service("web", Map.of("app", "web"));
    service("web-preview", Map.of("app", "none"));
    colours = new BlueGreenActivitiesImpl(pair(List.of(NS), 50), 20);
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

  @Test
  void deployPreviewCopiesTheTemplateWithoutTheActiveServicesKeysAndASecondCallChangesNothing() {
    ColourState first = colours.deployPreview(request("a1"));

    Deployment preview = deployment("web-preview");
    assertThat(first.changed()).isTrue();
    assertThat(preview.getSpec().getReplicas()).isEqualTo(10);
    assertThat(preview.getSpec().getSelector().getMatchLabels()).isEqualTo(PREVIEW_PODS);
    assertThat(preview.getSpec().getTemplate().getMetadata().getLabels())
        .isEqualTo(PREVIEW_PODS); // "app" is what the active Service selects on: dropped
    var container = preview.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("web:2");
    assertThat(container.getEnv()).extracting(EnvVar::getName).containsExactly("MODE");
    assertThat(preview.getMetadata().getAnnotations())
        .containsEntry(BlueGreenActivitiesImpl.ACTIVE_SELECTOR, "app=web")
        .containsEntry(BlueGreenActivitiesImpl.ROLLOUT, "rollout-shop.web");
    assertThat(selector("web-preview")).isEqualTo(PREVIEW_PODS);
    assertThat(selector("web")).isEqualTo(Map.of("app", "web"));
    assertThat(first.activeSelector()).isEqualTo(Map.of("app", "web"));
    assertThat(first.previewSelector()).isEqualTo(PREVIEW_PODS);
    assertThat(replicas("web")).isEqualTo(10);
    String version = preview.getMetadata().getResourceVersion();

    ColourState again = colours.deployPreview(request("a1"));

    assertThat(again.changed()).isFalse();
    assertThat(deployment("web-preview").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void afterTheSwitchTheRecordedSelectorStandsAndPromotionMovesTheOriginalToTheNewImageOnce() {
    colours.deployPreview(request("a1"));
    service("web", PREVIEW_PODS); // the switch, as the workflow makes it

    ColourState again = colours.deployPreview(request("a2"));
    assertThat(again.activeSelector()).isEqualTo(Map.of("app", "web"));

    ColourState promoted = colours.promoteActive(request("p1"));
    assertThat(promoted.changed()).isTrue();
    assertThat(image("web")).isEqualTo("web:2");
    assertThat(replicas("web")).isEqualTo(10);
    assertThat(deployment("web").getMetadata().getAnnotations())
        .containsEntry(BlueGreenActivitiesImpl.PROMOTE_PREVIOUS_IMAGE, "web:1");
    assertThat(colours.promoteActive(request("p1")).changed()).isFalse();

    ColourState down = colours.scalePreviewDown(request("d1"));
    assertThat(down.changed()).isTrue();
    assertThat(replicas("web-preview")).isZero();
    // A retry of "d1" reports that action's change again; a new one finds nothing to do.
    assertThat(colours.scalePreviewDown(request("d2")).changed()).isFalse();
    assertThat(deployment("web-preview")).as("scaled, never deleted").isNotNull();
  }

  @Test
  void refusesANamespaceOutsideTheAllowListAReplicaCeilingAndAForeignPreviewBeforeWriting() {
    BlueGreenActivitiesImpl elsewhere = new BlueGreenActivitiesImpl(pair(List.of("other"), 50), 20);
    ApplicationFailure forbidden =
        catchThrowableOfType(
            ApplicationFailure.class, () -> elsewhere.deployPreview(request("a1")));
    assertThat(forbidden.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);

    BlueGreenActivitiesImpl small = new BlueGreenActivitiesImpl(pair(List.of(NS), 5), 20);
    ApplicationFailure ceiling =
        catchThrowableOfType(ApplicationFailure.class, () -> small.deployPreview(request("a1")));
    assertThat(ceiling.getType()).isEqualTo(FailureTypes.POLICY_VIOLATION);
    assertThat(deployment("web-preview")).isNull();

    stable("web-preview", 1); // someone else's Deployment of that name
    ApplicationFailure foreign =
        catchThrowableOfType(ApplicationFailure.class, () -> colours.deployPreview(request("a1")));
    assertThat(foreign.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
    assertThat(image("web-preview")).isEqualTo("web:1");
    assertThat(selector("web-preview")).isEqualTo(Map.of("app", "none"));
  }

  private ColourRequest request(String actionId) {
    return new ColourRequest(actionId, "rollout-shop.web", WEB, "web-preview");
  }

  private void service(String name, Map<String, String> selector) {
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withPort(8080)
                .endPort()
                .endSpec()
                .build())
        .createOr(s -> s.update());
  }

  private Map<String, String> selector(String name) {
    return client.services().inNamespace(NS).withName(name).get().getSpec().getSelector();
  }

  private String image(String name) {
    return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
