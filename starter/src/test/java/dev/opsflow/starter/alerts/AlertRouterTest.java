package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertRouterTest {
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
  void aRouteNamingAFieldItsProceduresTargetDoesNotHaveFailsStartUp() {
    AlertRoute typo =
        new AlertRoute(
            "KubePodCrashLooping",
            Map.of(),
            "CrashLoopRemediation",
            "",
            Map.of("namespace", "{{namespace}}", "deployment", "{{deployment}}", "topic", "x"));
    assertThatThrownBy(() -> new AlertRouter(List.of(typo), KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].target.topic")
        .hasMessageContaining("CrashLoopRemediation does not use topic");
  }

  @Test
  void defaultRouteFillsTheTargetFromLabels() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
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
    assertThat(request.target())
        .isEqualTo(new ConsumerGroupTarget("demo", "orders-consumer", "orders", ""));
    assertThat(request.workflowId())
        .isEqualTo("heal-kafka-lag-remediation-demo/orders-consumer/orders");
    assertThat(request.alert().firing()).isTrue();
    assertThat(request.alert().episode()).isEqualTo("fp1@2026-11-23T10:00:00Z");
    assertThat(request.policy()).as("an alert carries no policy: the worker's applies").isNull();
    assertThat(request.limits()).isNull();
  }

  @Test
  void aMissingRequiredLabelMakesTheAlertUnroutableWithTheLabelNamed() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
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
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
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
    AlertRouter router = new AlertRouter(List.of(onlyPayments), KNOWN);
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
    assertThatThrownBy(() -> new AlertRouter(List.of(typo), KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "routes[0].procedure: unknown remediation 'KafkaLagRemediaton' (did you mean"
                + " KafkaLagRemediation?); known: KafkaLagRemediation,");
  }

  @Test
  void everyDefaultRouteNamesAKnownRemediationOrTheFailover() {
    assertThat(AlertRouter.DEFAULT_ROUTES)
        .extracting(AlertRoute::procedure)
        .allMatch(p -> KNOWN.contains(p) || p.equals("PostgresFailover"));
  }

  // ---- a primary that is down asks for a failover ----

  @Test
  void theDefaultPrimaryDownRouteAsksForAFailoverOfTheClusterTheAlertNames() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
    var routed =
        router.route(
            alert(
                "firing",
                Map.of(
                    "alertname", "PostgresPrimaryDown",
                    "cluster", "orders",
                    "instance", "orders-a:5432",
                    "severity", "warning")));
    assertThat(routed).isInstanceOf(AlertRouter.Routed.Failover.class);
    var request = ((AlertRouter.Routed.Failover) routed).request();
    assertThat(request.cluster()).isEqualTo("orders");
    assertThat(request.workflowId()).isEqualTo("failover-orders");
    assertThat(request.mode()).isEqualTo(dev.opsflow.contracts.failover.FailoverMode.FAILOVER);
    assertThat(request.candidate()).isNull();
    assertThat(request.run().severity()).isEqualTo("critical");
    assertThat(request.run().requestedBy()).isEqualTo("opsflow");
    assertThat(request.run().alert().fingerprint()).isEqualTo("fp1");
  }

  @Test
  void aPrimaryDownAlertWithoutAClusterOrWithABadOneIsUnroutableNamingTheLabel() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
    assertThat(router.route(alert("firing", Map.of("alertname", "PostgresPrimaryDown"))))
        .isEqualTo(
            new AlertRouter.Routed.Unroutable(
                "PostgresPrimaryDown",
                "label 'cluster' is missing (route target cluster needs it)"));
    var bad =
        router.route(
            alert("firing", Map.of("alertname", "PostgresPrimaryDown", "cluster", "../prod")));
    assertThat(((AlertRouter.Routed.Unroutable) bad).reason())
        .startsWith("label 'cluster': target.cluster '../prod' is not valid");
  }

  @Test
  void aFailoverRouteWithAFieldItDoesNotUseOrWithoutTheClusterFailsStartUp() {
    AlertRoute extra =
        new AlertRoute(
            "PostgresPrimaryDown",
            Map.of(),
            "PostgresFailover",
            "",
            Map.of("cluster", "{{cluster}}", "namespace", "{{namespace}}"));
    assertThatThrownBy(() -> new AlertRouter(List.of(extra), KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].target.namespace")
        .hasMessageContaining("PostgresFailover does not use namespace");
    AlertRoute none =
        new AlertRoute(
            "PostgresPrimaryDown", Map.of(), "PostgresFailover", "", Map.of("candidate", "x"));
    assertThatThrownBy(() -> new AlertRouter(List.of(none), KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].target.cluster");
  }

  // ---- the destructive default is opt-in ----

  @Test
  void theDefaultDiskRouteIgnoresDiskAlertsThatDidNotOptIntoLogCleanup() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
    var routed =
        router.route(
            alert(
                "firing",
                Map.of(
                    "alertname", "DiskSpaceHigh",
                    "namespace", "demo",
                    "deployment", "web",
                    "team", "web")));
    assertThat(routed)
        .isEqualTo(
            new AlertRouter.Routed.Unroutable(
                "DiskSpaceHigh",
                "no route for alert 'DiskSpaceHigh' matches its labels; the routes for it need"
                    + " opsflow_cleanup='logs'"));
  }

  @Test
  void theDefaultDiskRouteCleansLogsWhereTheAlertOptsIn() {
    AlertRouter router = new AlertRouter(List.of(), KNOWN);
    var routed =
        router.route(
            alert(
                "firing",
                Map.of(
                    "alertname", "DiskSpaceHigh",
                    "namespace", "demo",
                    "deployment", "web",
                    "selector", "app = web, tier in (frontend)",
                    "opsflow_cleanup", "logs")));
    RemediationRequest request = ((AlertRouter.Routed.To) routed).request();
    assertThat(request.procedure()).isEqualTo("DiskPressureRemediation");
    assertThat(request.severity()).isEqualTo("medium");
    assertThat(request.target().namespace()).isEqualTo("demo");
    assertThat(request.target().deployment()).isEqualTo("web");
    assertThat(request.target(WorkloadTarget.class).podSelector())
        .as("the selector is sent in the spelling that was checked")
        .isEqualTo("app=web,tier in (frontend)");
    assertThat(AlertRouter.DEFAULT_ROUTES)
        .filteredOn(r -> r.procedure().equals("DiskPressureRemediation"))
        .singleElement()
        .satisfies(r -> assertThat(r.match()).isEqualTo(AlertRouter.LOG_CLEANUP_OPT_IN));
  }

  // ---- label values are data ----

  private static Map<String, String> kafkaLabels(String label, String value) {
    Map<String, String> labels = new java.util.HashMap<>();
    labels.put("alertname", "KafkaConsumerLagHigh");
    labels.put("namespace", "demo");
    labels.put("deployment", "orders-consumer");
    labels.put("consumergroup", "orders");
    labels.put(label, value);
    return labels;
  }

  private static String refusal(String label, String value) {
    var routed =
        new AlertRouter(List.of(), KNOWN).route(alert("firing", kafkaLabels(label, value)));
    assertThat(routed).isInstanceOf(AlertRouter.Routed.Unroutable.class);
    String reason = ((AlertRouter.Routed.Unroutable) routed).reason();
    assertThat(reason).as("a reason is one printable line").doesNotContain("\r", "\n", "\u001b");
    return reason;
  }

  @Test
  void aTraversalInALabelIsRefusedNamingTheLabelAndTheTargetField() {
    assertThat(refusal("deployment", "../../prod/deployments/orders-consumer"))
        .isEqualTo(
            "label 'deployment': target.deployment '../../prod/deployments/orders-consumer' is"
                + " not valid: must be a DNS-1123 subdomain: 1-253 characters, lowercase letters,"
                + " digits, '-' and '.', each dot-separated part starting and ending with a letter"
                + " or digit");
    assertThat(refusal("namespace", "a/b")).startsWith("label 'namespace': target.namespace 'a/b'");
    assertThat(refusal("topic", "..")).startsWith("label 'topic': target.topic '..' is not valid");
  }

  @Test
  void lineBreaksAndAnsiEscapesInALabelAreRefusedAndShownEscaped() {
    assertThat(refusal("deployment", "orders\r\n2026-11-23 INFO scaled prod to 0"))
        .isEqualTo(
            "label 'deployment' 'orders\\r\\n2026-11-23 INFO scaled prod to 0' contains control"
                + " characters, which no target name may have (route target deployment)");
    assertThat(refusal("consumergroup", "orders\u001b[2J"))
        .isEqualTo(
            "label 'consumergroup' 'orders\\u001B[2J' contains control characters, which no"
                + " target name may have (route target consumerGroup)");
  }

  @Test
  void aLabelLongerThanTheBoundIsRefusedWithoutEchoingIt() {
    // Kafka would take a 255-character group id; a target label stops at 253.
    assertThat(refusal("consumergroup", "g".repeat(254)))
        .isEqualTo(
            "label 'consumergroup' is 254 characters; a label used in a target may have at most"
                + " 253 (route target consumerGroup)");
    assertThat(refusal("deployment", "d".repeat(512 * 1024)))
        .isEqualTo(
            "label 'deployment' is 524288 characters; a label used in a target may have at most"
                + " 253 (route target deployment)");
  }

  @Test
  void aLabelOfExactlyTheBoundIsAcceptedWhereTheNameAllowsIt() {
    String longest =
        String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
    assertThat(longest).hasSize(AlertRouter.MAX_TARGET_LABEL);
    var routed =
        new AlertRouter(List.of(), KNOWN)
            .route(alert("firing", kafkaLabels("deployment", longest)));
    RemediationRequest request = ((AlertRouter.Routed.To) routed).request();
    assertThat(request.target().deployment()).isEqualTo(longest);
    assertThat(request.workflowId())
        .isEqualTo("heal-kafka-lag-remediation-demo/" + longest + "/orders");
  }

  @Test
  void anEmptyRequiredLabelIsMissing() {
    assertThat(refusal("deployment", ""))
        .isEqualTo("label 'deployment' is missing (route target deployment needs it)");
  }

  @Test
  void aTemplateJoiningLabelsNamesThemAll() {
    AlertRoute joined =
        new AlertRoute(
            "KubePodCrashLooping",
            Map.of(),
            "CrashLoopRemediation",
            "",
            Map.of("namespace", "{{namespace}}", "deployment", "{{app}}-{{tier}}"));
    var routed =
        new AlertRouter(List.of(joined), KNOWN)
            .route(
                alert(
                    "firing",
                    Map.of(
                        "alertname", "KubePodCrashLooping",
                        "namespace", "demo",
                        "app", "Web",
                        "tier", "api")));
    assertThat(((AlertRouter.Routed.Unroutable) routed).reason())
        .startsWith("labels 'app', 'tier': target.deployment 'Web-api' is not valid");
  }

  @Test
  void anUnknownAlertNameIsShownEscaped() {
    var routed =
        new AlertRouter(List.of(), KNOWN)
            .route(alert("firing", Map.of("alertname", "Fake\nINFO ok")));
    assertThat(((AlertRouter.Routed.Unroutable) routed).reason())
        .isEqualTo("no route matches alert 'Fake\\nINFO ok'");
  }

  @Test
  void theReadmeRoutingBlockIsExactlyTheDefaultRoutes() throws java.io.IOException {
    java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath();
    while (dir != null && !java.nio.file.Files.exists(dir.resolve("README.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("README.md above the working directory").isNotNull();
    String readme = java.nio.file.Files.readString(dir.resolve("README.md"));
    String section = readme.substring(readme.indexOf("### Routing alerts"));
    int start = section.indexOf("```yaml\nroutes:") + "```yaml\n".length();
    String block = section.substring(start, section.indexOf("```", start));
    java.nio.file.Path file = java.nio.file.Files.createTempFile("routes", ".yaml");
    try {
      java.nio.file.Files.writeString(file, block);
      assertThat(dev.opsflow.config.ConfigLoader.load(file, Map.of()).alerts().routes())
          .containsExactlyElementsOf(AlertRouter.DEFAULT_ROUTES);
    } finally {
      java.nio.file.Files.delete(file);
    }
  }
}
