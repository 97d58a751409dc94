package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.opsflow.workflows.TaskQueues;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** helm lint and helm template on the chart, with Helm itself (helm-java embeds it). */
class HelmChartTest {

  @Test
  void lintsWithoutFindingsInStrictMode() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();

    assertThat(lint.isFailed()).as("lint: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void defaultValuesRenderTheWorkerFleetAndStarterWithOptionalPartsOff() {
    RenderedChart chart = RenderedChart.withDefaults();

    assertThat(chart.all(Deployment.class))
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("opsflow-worker", "opsflow-starter");
    assertThat(chart.worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            chart
                .named(PodDisruptionBudget.class, "opsflow-worker")
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(1);
    assertThat(chart.named(Service.class, "opsflow-starter").getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    assertThat(chart.all(ServiceAccount.class)).hasSize(2);
    assertThat(chart.all(Role.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactly("default");
    assertThat(chart.all(ClusterRole.class)).isEmpty();
    assertThat(chart.all(Ingress.class)).isEmpty();
    assertThat(chart.all(GenericKubernetesResource.class)).isEmpty();
    assertThat(chart.worker().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("opsflow:0.1.0");
  }

  @Test
  void testValuesRenderEveryOption() throws Exception {
    RenderedChart chart = RenderedChart.withTestValues();

    // KEDA owns the replica count when it scales the fleet on the task queue's backlog.
    assertThat(chart.worker().getSpec().getReplicas()).isNull();
    GenericKubernetesResource scaled = single(chart.custom("ScaledObject"));
    Map<String, Object> spec = scaled.get("spec");
    assertThat(spec).containsEntry("maxReplicaCount", 12).containsEntry("minReplicaCount", 2);
    assertThat(scaled.<String>get("spec", "scaleTargetRef", "name")).isEqualTo("opsflow-worker");
    Map<String, Object> trigger = scaled.<List<Map<String, Object>>>get("spec", "triggers").get(0);
    assertThat(trigger).containsEntry("type", "temporal");
    assertThat((Map<String, Object>) trigger.get("metadata"))
        .containsEntry("taskQueue", TaskQueues.OPERATIONS)
        .containsEntry("namespace", "ops")
        .containsEntry("endpoint", "temporal-frontend.temporal.svc.cluster.local:7233");

    Ingress ingress = chart.named(Ingress.class, "opsflow-starter");
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("opsflow.example.org");
    assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("opsflow-tls");
    assertThat(
            ingress
                .getSpec()
                .getRules()
                .get(0)
                .getHttp()
                .getPaths()
                .get(0)
                .getBackend()
                .getService()
                .getName())
        .isEqualTo("opsflow-starter");

    assertThat(chart.custom("PodMonitor")).hasSize(1);
    assertThat(chart.custom("ServiceMonitor")).hasSize(1);
    GenericKubernetesResource rule = single(chart.custom("PrometheusRule"));
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    assertThat(groups.get(0).get("rules").toString())
        .contains("OpsflowWorkerDown", "OpsflowEscalationsRising");
    assertThat(approvalsWaitingRule(rule)).containsEntry("for", "2h30m");

    JsonNode dashboard =
        new ObjectMapper()
            .readTree(
                chart.named(ConfigMap.class, "opsflow-dashboard").getData().get("opsflow.json"));
    assertThat(dashboard.get("uid").asText()).isEqualTo("opsflow");
    assertThat(chart.named(ConfigMap.class, "opsflow-dashboard").getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1");
    assertThat(chart.worker().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example.com/ops/opsflow:1.2.3");
  }

  @Test
  void rendersNoSecretAndNoSecretValue() {
    for (RenderedChart chart :
        List.of(RenderedChart.withDefaults(), RenderedChart.withTestValues())) {
      assertThat(chart.all(Secret.class)).isEmpty();
      for (HasMetadata r : chart.resources) {
        assertThat(r.getKind()).isNotEqualTo("Secret");
      }
    }
  }

  @Test
  void approvalsWaitTooLongAfterTheRuleFilesHourUnlessTheValuesSayOtherwise() {
    RenderedChart chart =
        RenderedChart.render(null, Map.of("monitoring.prometheusRule.enabled", "true"));

    assertThat(approvalsWaitingRule(single(chart.custom("PrometheusRule"))))
        .containsEntry("for", "1h");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> approvalsWaitingRule(GenericKubernetesResource rule) {
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    return ((List<Map<String, Object>>) groups.get(0).get("rules"))
        .stream()
            .filter(r -> "OpsflowApprovalsWaitingTooLong".equals(r.get("alert")))
            .findFirst()
            .orElseThrow();
  }

  /** Each bad value is refused by values.schema.json at install, naming the value. */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "config.healing.maxReplicas, 0, config.healing.maxReplicas",
    "config.healing.postgresConnThreshold, 101, config.healing.postgresConnThreshold",
    "config.healing.checkInterval, soon, config.healing.checkInterval",
    "config.healing.memoryCeiling, lots, config.healing.memoryCeiling",
    "config.healing.logPaths[0], var/log, config.healing.logPaths",
    "config.kubernetes.allowedNamespaces[0], Payments_NS, config.kubernetes.allowedNamespaces",
    "config.temporal.address, temporal-without-port, config.temporal.address",
    "config.healing.maxReplica, 5, maxReplica",
    "secrets.existingSecret, '', secrets.existingSecret",
    "worker.replicas, two, worker.replicas",
    "features.logCleanup, maybe, features.logCleanup",
    "monitoring.prometheusRule.approvalsWaitingFor, an hour, monitoring.prometheusRule.approvalsWaitingFor",
  })
  void schemaRefusesBadValueNamingIt(String key, String value, String named) {
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of(key, value == null ? "" : value)))
        .hasMessageContaining("schema")
        .hasMessageContaining(named);
  }

  private static <T> T single(List<T> list) {
    assertThat(list).hasSize(1);
    return list.get(0);
  }
}
