package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.dispatch.HealingPolicy;
import dev.opsflow.activities.dispatch.RemediationRequest;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.OpsflowConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertRouterTest {
  private static final HealingPolicy POLICY =
      HealingPolicy.from(OpsflowConfig.defaults().healing());
  private static final List<String> KNOWN =
      List.of(
          "KafkaLagRemediation",
          "PostgresConnectionRemediation",
          "OomRemediation",
          "CrashLoopRemediation",
          "DiskPressureRemediation");

  private static AlertmanagerPayload.Alert alert(String status, Map<String, String> labels) {
    return new AlertmanagerPayload.Alert(
        status,
        labels,
        Map.of("summary", "s"),
        "2026-11-23T10:00:00Z",
        "0001-01-01T00:00:00Z",
        "",
        "fp1");
  }

  @Test
  void defaultRouteFillsTheTargetFromLabels() {
    AlertRouter router = new AlertRouter(List.of(), POLICY, KNOWN);
    var routed =
        router.route(
            alert(
                "firing",
                Map.of(
                    "alertname", "KafkaConsumerLagHigh",
                    "namespace", "demo",
                    "deployment", "orders-consumer",
                    "consumergroup", "orders")));
    assertThat(routed).isInstanceOf(AlertRouter.Routed.To.class);
    RemediationRequest request = ((AlertRouter.Routed.To) routed).request();
    assertThat(request.procedure()).isEqualTo("KafkaLagRemediation");
    assertThat(request.severity()).isEqualTo("high");
    assertThat(request.target().namespace()).isEqualTo("demo");
    assertThat(request.target().deployment()).isEqualTo("orders-consumer");
    assertThat(request.target().consumerGroup()).isEqualTo("orders");
    assertThat(request.target().topic()).isEmpty();
    assertThat(request.workflowId())
        .isEqualTo("heal-kafka-lag-remediation-demo/orders-consumer/orders");
    assertThat(request.alert().firing()).isTrue();
    assertThat(request.alert().episode()).isEqualTo("fp1@2026-11-23T10:00:00Z");
    assertThat(request.policy()).isEqualTo(POLICY);
  }

  @Test
  void aMissingRequiredLabelMakesTheAlertUnroutableWithTheLabelNamed() {
    AlertRouter router = new AlertRouter(List.of(), POLICY, KNOWN);
    var routed =
        router.route(
            alert("firing", Map.of("alertname", "KubePodCrashLooping", "namespace", "demo")));
    assertThat(routed)
        .isEqualTo(
            new AlertRouter.Routed.Unroutable(
                "KubePodCrashLooping",
                "label 'deployment' is missing (route target deployment needs it)"));
  }

  @Test
  void unknownAlertNamesAreUnroutable() {
    AlertRouter router = new AlertRouter(List.of(), POLICY, KNOWN);
    var routed = router.route(alert("firing", Map.of("alertname", "Watchdog")));
    assertThat(routed)
        .isEqualTo(
            new AlertRouter.Routed.Unroutable("Watchdog", "no route matches alert 'Watchdog'"));
  }

  @Test
  void configuredRoutesReplaceTheDefaultsAndMatchLabels() {
    AlertRoute onlyPayments =
        new AlertRoute(
            "KubePodCrashLooping",
            Map.of("team", "payments"),
            "CrashLoopRemediation",
            "",
            Map.of("namespace", "{{namespace}}", "deployment", "app-{{service}}"));
    AlertRouter router = new AlertRouter(List.of(onlyPayments), POLICY, KNOWN);
    var other =
        router.route(
            alert(
                "firing",
                Map.of(
                    "alertname",
                    "KubePodCrashLooping",
                    "team",
                    "orders",
                    "namespace",
                    "x",
                    "service",
                    "y")));
    assertThat(other).isInstanceOf(AlertRouter.Routed.Unroutable.class);
    var routed =
        router.route(
            alert(
                "resolved",
                Map.of(
                    "alertname",
                    "KubePodCrashLooping",
                    "team",
                    "payments",
                    "namespace",
                    "pay",
                    "service",
                    "api",
                    "severity",
                    "critical")));
    RemediationRequest request = ((AlertRouter.Routed.To) routed).request();
    assertThat(request.target().deployment()).isEqualTo("app-api");
    assertThat(request.severity()).as("severity from the alert's label").isEqualTo("critical");
    assertThat(request.alert().firing()).isFalse();
  }

  @Test
  void aRouteToAnUnknownProcedureFailsStartUpNamingTheRule() {
    AlertRoute typo = new AlertRoute("X", Map.of(), "KafkaLagRemediaton", "high", Map.of());
    assertThatThrownBy(() -> new AlertRouter(List.of(typo), POLICY, KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "routes[0].procedure: unknown remediation 'KafkaLagRemediaton' (did you mean"
                + " KafkaLagRemediation?); known: KafkaLagRemediation,");
  }

  @Test
  void everyDefaultRouteNamesAKnownRemediation() {
    assertThat(AlertRouter.DEFAULT_ROUTES)
        .extracting(AlertRoute::procedure)
        .allMatch(KNOWN::contains);
  }
}
