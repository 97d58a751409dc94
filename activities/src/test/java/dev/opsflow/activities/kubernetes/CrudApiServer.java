package dev.opsflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode (expectations allowed), with nothing else talking to it:
 * unlike the sandbox there is no controller loop, so every request it records was made by the test
 * or by the activity under test.
 */
public final class CrudApiServer implements AutoCloseable {
  /** Held so the JUL logger (and its level) is not garbage-collected. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  public final KubernetesMockServer server;
  public final KubernetesClient client;

  public CrudApiServer() {
    // The mock server logs every request at INFO through java.util.logging.
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
  }

  /** Every request recorded since the last call, oldest first ("PATCH /apis/...?..."). */
  public List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests;
  }

  public void namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  /** A Deployment with one container "app" (memory 256Mi / 512Mi) and these labels/annotations. */
  Deployment deployment(
      String namespace,
      String name,
      int replicas,
      Map<String, String> labels,
      Map<String, String> annotations) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("app", name);
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(all)
            .withAnnotations(annotations)
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
                    .withImage("registry.example/" + name + ":1.0")
                    .withNewResources()
                    .withRequests(Map.of("memory", new Quantity("256Mi")))
                    .withLimits(Map.of("memory", new Quantity("512Mi")))
                    .endResources()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return client.apps().deployments().inNamespace(namespace).resource(d).create();
  }

  Deployment deployment(String namespace, String name) {
    return deployment(namespace, name, 1, Map.of(), Map.of());
  }

  void pod(String namespace, String name, String app) {
    client
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Map.of("app", app))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("registry.example/" + app + ":1.0")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  void service(String namespace, String name, Map<String, String> selector) {
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withPort(5432)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
