package dev.opsflow.sandbox.traffic;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads from the cluster how the requests sent to one Service are split (see {@link TrafficSplit}).
 * The front door is a Gateway API {@code HTTPRoute} of the Service's own name in its namespace when
 * there is one (its rules' {@code backendRefs} and weights decide; {@code
 * gateway.networking.k8s.io} v1), else the Service itself. A Deployment is behind a Service when
 * the Service's selector matches its pod template's labels.
 */
public final class ServiceTraffic {
  private static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

  private final KubernetesClient client;
  private final String namespace;
  private final String service;

  public ServiceTraffic(KubernetesClient client, String namespace, String service) {
    this.client = client;
    this.namespace = namespace;
    this.service = service;
  }

  public String namespace() {
    return namespace;
  }

  public String service() {
    return service;
  }

  /** The split now; {@link TrafficSplit#NONE} when neither the route nor the Service exists. */
  public TrafficSplit observe() {
    List<Deployment> deployments =
        client.apps().deployments().inNamespace(namespace).list().getItems();
    GenericKubernetesResource route = route();
    if (route != null) {
      List<TrafficSplit.Backend> backends = new ArrayList<>();
      for (Map<String, Object> ref : backendRefs(route)) {
        Object kind = ref.get("kind");
        if (kind != null && !"Service".equals(kind)) {
          continue; // only Service backends reach pods here
        }
        String name = String.valueOf(ref.get("name"));
        int weight = ref.get("weight") instanceof Number n ? n.intValue() : 1;
        backends.add(new TrafficSplit.Backend(name, weight, selectedBy(name, deployments)));
      }
      return TrafficSplit.byRoute(backends);
    }
    if (client.services().inNamespace(namespace).withName(service).get() == null) {
      return TrafficSplit.NONE;
    }
    return TrafficSplit.byReplicas(selectedBy(service, deployments));
  }

  private static final ResourceDefinitionContext HTTP_ROUTES =
      new ResourceDefinitionContext.Builder()
          .withGroup(GATEWAY_GROUP)
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withNamespaced(true)
          .build();

  private GenericKubernetesResource route() {
    return client
        .genericKubernetesResources(HTTP_ROUTES)
        .inNamespace(namespace)
        .withName(service)
        .get();
  }

  /** Every rule's backendRefs, in order. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> backendRefs(GenericKubernetesResource route) {
    List<Map<String, Object>> refs = new ArrayList<>();
    Object spec = route.getAdditionalProperties().get("spec");
    if (!(spec instanceof Map<?, ?> specMap) || !(specMap.get("rules") instanceof List<?> rules)) {
      return refs;
    }
    for (Object rule : rules) {
      if (rule instanceof Map<?, ?> r && r.get("backendRefs") instanceof List<?> list) {
        for (Object ref : list) {
          if (ref instanceof Map<?, ?> m) {
            refs.add((Map<String, Object>) m);
          }
        }
      }
    }
    return refs;
  }

  private List<TrafficSplit.Version> selectedBy(String serviceName, List<Deployment> deployments) {
    Service s = client.services().inNamespace(namespace).withName(serviceName).get();
    List<TrafficSplit.Version> selected = new ArrayList<>();
    if (s == null || s.getSpec().getSelector() == null || s.getSpec().getSelector().isEmpty()) {
      return selected;
    }
    Map<String, String> selector = s.getSpec().getSelector();
    for (Deployment d : deployments) {
      var template = d.getSpec().getTemplate();
      Map<String, String> labels =
          template.getMetadata() == null ? null : template.getMetadata().getLabels();
      if (labels != null && labels.entrySet().containsAll(selector.entrySet())) {
        selected.add(version(d));
      }
    }
    return selected;
  }

  private static TrafficSplit.Version version(Deployment d) {
    var containers = d.getSpec().getTemplate().getSpec().getContainers();
    String image = containers == null || containers.isEmpty() ? "" : containers.get(0).getImage();
    Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
    return new TrafficSplit.Version(d.getMetadata().getName(), image, ready == null ? 0 : ready);
  }
}
