package dev.opsflow.workflows.rollout.bluegreen;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
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
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;

/**
 * fabric8's mock API server in CRUD mode holding namespace {@value #NS}: the Deployment {@value
 * #STABLE} (20 replicas of {@value #OLD_IMAGE}, container {@code app}) behind the Service {@value
 * #STABLE} (selector {@code app=web}) and an empty preview Service {@value #PREVIEW_SERVICE}
 * (selecting nothing yet). A controller loop stands in for the Deployment controller: every 20 ms
 * it makes each Deployment's status report all its desired pods ready and updated, so "ready" waits
 * end the way they would on a healthy cluster. Nothing else writes to it.
 */
public final class ColourCluster implements AutoCloseable {
  public static final String NS = "shop";
  public static final String STABLE = "web";
  public static final String PREVIEW = "web-preview";
  public static final String PREVIEW_SERVICE = "web-preview";
  public static final String OLD_IMAGE = "registry.example/web:1";
  public static final String NEW_IMAGE = "registry.example/web:2";
  public static final int CAPACITY = 20;

  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  final KubernetesMockServer server;
  public final KubernetesClient client;
  private final Thread controller;
  private volatile boolean running = true;

  public ColourCluster() {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
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
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(STABLE)
                .withNamespace(NS)
                .withLabels(Map.of("app", STABLE))
                .endMetadata()
                .withNewSpec()
                .withReplicas(CAPACITY)
                .withNewSelector()
                .withMatchLabels(Map.of("app", STABLE))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", STABLE))
                .endMetadata()
                .withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withImage(OLD_IMAGE).build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(STABLE)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", STABLE))
                .addNewPort()
                .withPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(PREVIEW_SERVICE)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "nothing-yet"))
                .addNewPort()
                .withPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
    controller = new Thread(this::reconcile, "fake-deployment-controller");
    controller.setDaemon(true);
    controller.start();
  }

  /** The Deployment controller's visible effect: all desired pods ready, of the latest template. */
  private void reconcile() {
    while (running) {
      try {
        for (Deployment d : client.apps().deployments().inNamespace(NS).list().getItems()) {
          int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
          Long generation = d.getMetadata().getGeneration();
          var s = d.getStatus();
          if (s != null
              && Objects.equals(s.getReadyReplicas(), want)
              && Objects.equals(s.getUpdatedReplicas(), want)
              && Objects.equals(s.getObservedGeneration(), generation)) {
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
        // A write raced the loop (409) or the server is closing: the next round catches up.
      }
    }
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** Desired replicas, or -1 when the Deployment does not exist. */
  public int replicas(String name) {
    Deployment d = deployment(name);
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  public String image(String name) {
    return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** The Service's selector now. */
  public Map<String, String> selector(String service) {
    return client.services().inNamespace(NS).withName(service).get().getSpec().getSelector();
  }

  /** The pod labels of a Deployment's template. */
  public Map<String, String> podLabels(String name) {
    return deployment(name).getSpec().getTemplate().getMetadata().getLabels();
  }

  @Override
  public void close() {
    running = false;
    controller.interrupt();
    client.close();
    server.destroy();
  }
}
