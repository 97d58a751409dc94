package dev.opsflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * The chart as {@code helm template} renders it, every manifest parsed into fabric8's model (custom
 * resources such as KEDA's ScaledObject as {@link GenericKubernetesResource}).
 */
final class RenderedChart {
  static final String RELEASE = "opsflow";
  static final String NAMESPACE = "opsflow-system";
  static final Path CHART = RepositoryRoot.resolve("helm/opsflow");
  static final Path TEST_VALUES = Path.of("src/test/resources/test-values.yaml").toAbsolutePath();

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  final String yaml;
  final List<HasMetadata> resources;

  private RenderedChart(String yaml, List<HasMetadata> resources) {
    this.yaml = yaml;
    this.resources = resources;
  }

  static RenderedChart withDefaults() {
    return render(null, Map.of());
  }

  static RenderedChart withTestValues() {
    return render(TEST_VALUES, Map.of());
  }

  /**
   * @param valuesFile a values file on top of values.yaml, or null
   * @param set {@code --set} overrides
   */
  static RenderedChart render(Path valuesFile, Map<String, Object> set) {
    TemplateCommand template =
        new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, Object> e : set.entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    String yaml = template.call();
    List<HasMetadata> resources = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      KubernetesResource parsed = SERIALIZATION.unmarshal(document, KubernetesResource.class);
      if (!(parsed instanceof HasMetadata resource)) {
        throw new IllegalStateException("not a Kubernetes resource:\n" + document);
      }
      resources.add(resource);
    }
    return new RenderedChart(yaml, List.copyOf(resources));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<GenericKubernetesResource> custom(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(r -> r.getKind().equals(kind))
        .toList();
  }

  <T extends HasMetadata> T named(Class<T> type, String name) {
    return all(type).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException(type.getSimpleName() + " " + name));
  }

  Deployment worker() {
    return named(Deployment.class, RELEASE + "-worker");
  }

  Deployment starter() {
    return named(Deployment.class, RELEASE + "-starter");
  }

  /** The environment both processes get from the chart's ConfigMap. */
  Map<String, String> environment() {
    return named(ConfigMap.class, RELEASE).getData();
  }

  /** The structured opsflow.yaml both processes read with --config. */
  String configFile() {
    return named(ConfigMap.class, RELEASE + "-file").getData().get("opsflow.yaml");
  }

  /** values.yaml, with the test values merged over it when given (as Helm merges them). */
  static JsonNode values(Path overrides) {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try {
      JsonNode base = yaml.readTree(CHART.resolve("values.yaml").toFile());
      if (overrides != null) {
        merge(base, yaml.readTree(overrides.toFile()));
      }
      return base;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void merge(JsonNode base, JsonNode over) {
    for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = base.get(field.getKey());
      if (existing != null && existing.isObject() && field.getValue().isObject()) {
        merge(existing, field.getValue());
      } else {
        ((com.fasterxml.jackson.databind.node.ObjectNode) base)
            .set(field.getKey(), field.getValue());
      }
    }
  }
}
