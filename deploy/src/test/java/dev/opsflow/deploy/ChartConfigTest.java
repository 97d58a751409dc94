package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.config.ConfigKey;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart configures opsflow only through {@link ConfigKey}: every ConfigMap key is a setting the
 * code reads, every setting that matters in a cluster is there, each holds the chart value at the
 * key's opsflow.yaml path, and what the chart renders is accepted by {@link ConfigLoader}.
 */
class ChartConfigTest {
  /**
   * Settings the ConfigMap leaves out on purpose: in a pod the Kubernetes client uses the service
   * account (no kubeconfig, no context), and the TLS files exist only when temporalTls is given.
   */
  private static final Set<ConfigKey> NOT_IN_A_CLUSTER =
      Set.of(ConfigKey.KUBERNETES_KUBECONFIG, ConfigKey.KUBERNETES_CONTEXT);

  private static final Set<ConfigKey> ONLY_WITH_TLS_SECRET =
      Set.of(ConfigKey.TEMPORAL_TLS_CERT, ConfigKey.TEMPORAL_TLS_KEY, ConfigKey.TEMPORAL_TLS_CA);

  /** Where values.yaml differs from opsflow's defaults, and why. */
  private static final Map<ConfigKey, String> CLUSTER_DEFAULTS =
      Map.of(
          ConfigKey.HTTP_HOST, "0.0.0.0", // the starter listens on the pod's address
          ConfigKey.TEMPORAL_ADDRESS, "temporal-frontend.temporal:7233"); // no Temporal in the pod

  @Test
  void everyConfigMapKeyIsANonSecretSettingTheCodeReads() {
    for (RenderedChart chart :
        List.of(RenderedChart.withDefaults(), RenderedChart.withTestValues())) {
      for (String env : chart.environment().keySet()) {
        ConfigKey key = byEnv(env);
        assertThat(key)
            .as("ConfigMap key %s is no ConfigKey's environment variable", env)
            .isNotNull();
        assertThat(key.secret()).as("%s is a secret and must come from a Secret", env).isFalse();
      }
    }
  }

  @Test
  void everyNonSecretSettingIsInTheConfigMap() {
    Set<String> defaults = RenderedChart.withDefaults().environment().keySet();
    Set<String> withTls = RenderedChart.withTestValues().environment().keySet();

    for (ConfigKey key : ConfigKey.values()) {
      if (key.secret() || NOT_IN_A_CLUSTER.contains(key)) {
        assertThat(withTls).doesNotContain(key.env());
      } else if (ONLY_WITH_TLS_SECRET.contains(key)) {
        assertThat(defaults).doesNotContain(key.env());
        assertThat(withTls).as(key.env()).contains(key.env());
      } else {
        assertThat(defaults)
            .as("%s (%s) is missing from the ConfigMap", key.env(), key.path())
            .contains(key.env());
      }
    }
  }

  @Test
  void eachSettingHoldsTheChartValueAtItsOpsflowYamlPath() {
    checkValues(RenderedChart.withDefaults(), RenderedChart.values(null));
    checkValues(RenderedChart.withTestValues(), RenderedChart.values(RenderedChart.TEST_VALUES));
  }

  private static void checkValues(RenderedChart chart, JsonNode values) {
    JsonNode config = values.get("config");
    for (Map.Entry<String, String> e : chart.environment().entrySet()) {
      ConfigKey key = byEnv(e.getKey());
      if (ONLY_WITH_TLS_SECRET.contains(key)) {
        assertThat(e.getValue()).startsWith("/etc/opsflow-tls/");
        continue;
      }
      JsonNode node = config;
      for (String part : key.path().split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      assertThat(node).as("values.yaml has no config.%s for %s", key.path(), key.env()).isNotNull();
      String expected =
          node.isArray()
              ? StreamSupport.stream(node.spliterator(), false)
                  .map(JsonNode::asText)
                  .collect(Collectors.joining(","))
              : node.asText();
      assertThat(e.getValue()).as("%s <- config.%s", key.env(), key.path()).isEqualTo(expected);
    }
  }

  @Test
  void theChartDefaultsAreOpsflowsDefaultsExceptWhereAClusterNeedsOthers() {
    Map<String, String> env = RenderedChart.withDefaults().environment();
    for (Map.Entry<String, String> e : env.entrySet()) {
      ConfigKey key = byEnv(e.getKey());
      String expected = CLUSTER_DEFAULTS.getOrDefault(key, key.defaultValue());
      assertThat(e.getValue()).as(key.path()).isEqualTo(expected);
    }
  }

  @Test
  void opsflowAcceptsWhatTheChartRenders(@TempDir Path dir) throws IOException {
    RenderedChart chart = RenderedChart.withTestValues();
    Map<String, String> env = new HashMap<>(chart.environment());
    // The TLS Secret's files, as the pod would see them mounted.
    for (ConfigKey key : ONLY_WITH_TLS_SECRET) {
      Path file = dir.resolve(key.env());
      Files.writeString(file, "pem");
      env.put(key.env(), file.toString());
    }
    Path configFile = Files.writeString(dir.resolve("opsflow.yaml"), chart.configFile());

    OpsflowConfig config = ConfigLoader.load(configFile, env);

    assertThat(config.healing().maxReplicas()).isEqualTo(24);
    assertThat(config.healing().kafkaLagThreshold()).isEqualTo(2_500_000L);
    assertThat(config.kubernetes().allowedNamespaces()).containsExactly("payments", "orders");
    assertThat(config.healing().logPaths()).containsExactly("/var/log/app", "/data/logs");
    assertThat(config.temporal().namespace()).isEqualTo("ops");
    assertThat(config.metrics().port()).isEqualTo(9500);
    assertThat(config.procedures()).containsKey("CrashLoopRemediation");
    assertThat(config.procedures().get("CrashLoopRemediation").approval().approvers())
        .containsExactly("alice", "bob");

    // With no structured sections the file is empty and opsflow's defaults apply.
    RenderedChart defaults = RenderedChart.withDefaults();
    Path empty = Files.writeString(dir.resolve("empty.yaml"), defaults.configFile());
    assertThat(ConfigLoader.load(empty, defaults.environment()).procedures()).isEmpty();
  }

  @Test
  void everySecretComesFromTheNamedSecretByItsOwnNameAndNeverAsAValue() {
    RenderedChart chart = RenderedChart.withTestValues();
    List<EnvVar> env =
        Stream.of(chart.worker(), chart.starter())
            .map(Deployment::getSpec)
            .flatMap(s -> s.getTemplate().getSpec().getContainers().get(0).getEnv().stream())
            .toList();
    Set<String> referenced = new HashSet<>();
    for (EnvVar var : env) {
      ConfigKey key = byEnv(var.getName());
      assertThat(key).as(var.getName()).isNotNull();
      assertThat(key.secret()).as(var.getName()).isTrue();
      assertThat(var.getValue()).as(var.getName()).isNull();
      assertThat(var.getValueFrom().getSecretKeyRef().getName()).isEqualTo("opsflow-prod");
      assertThat(var.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(var.getName());
      referenced.add(var.getName());
    }
    assertThat(referenced)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ConfigKey.values())
                .filter(ConfigKey::secret)
                .map(ConfigKey::env)
                .toList());
    assertThat(chart.yaml).doesNotContain("opsflow-compose");
  }

  private static ConfigKey byEnv(String env) {
    return Arrays.stream(ConfigKey.values())
        .filter(k -> k.env().equals(env))
        .findFirst()
        .orElse(null);
  }
}
