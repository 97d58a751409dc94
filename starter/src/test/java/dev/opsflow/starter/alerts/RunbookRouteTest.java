package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.OpsflowConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes that start a runbook as data: refused at start for an unknown runbook or a context its
 * variables cannot take; per alert, the context filled from labels and annotations, converted to a
 * declared variable's kind, and the problem's workflow ID made from it.
 */
class RunbookRouteTest {
  private static final List<String> KNOWN = List.of("CrashLoopRemediation");

  @TempDir Path dir;
  private RunbookFolder folder;

  @BeforeEach
  void folder() throws IOException {
    Files.writeString(
        dir.resolve("restart-service.yaml"),
        """
        id: restart-service
        name: Restart a service
        version: "1"
        variables:
          namespace: default
          replicas: 2
          urgent: false
          owners: [sre]
        startWith: tell
        steps:
          - id: tell
            type: notify
            channel: audit-log
            message: >-
              restart {{ input.service }}
              {{ has(input.summary) ? input.summary : "" }} {{ has(input.zone) ? input.zone : "" }}
        """);
    folder =
        RunbookFolder.load(
            new OpsflowConfig.Runbooks(dir.toString(), false, false),
            RunbookFolder.builtInIds(KNOWN));
  }

  private static AlertRoute route(Map<String, String> context) {
    return AlertRoute.toRunbook("ServiceDown", Map.of(), "restart-service", "", context);
  }

  private static Map<String, String> ordered(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static AlertmanagerPayload.Alert alert(
      String status, String fingerprint, Map<String, String> labels) {
    Map<String, String> all = new LinkedHashMap<>(labels);
    all.put("alertname", "ServiceDown");
    return new AlertmanagerPayload.Alert(
        status,
        all,
        Map.of("summary", "orders answers 503"),
        "2026-12-02T10:00:00Z",
        "0001-01-01T00:00:00Z",
        "",
        fingerprint);
  }

  @Test
  void anUnknownRunbookFailsStartUpWithTheClosestName() {
    AlertRoute typo = AlertRoute.toRunbook("ServiceDown", Map.of(), "restart-servce", "", Map.of());
    assertThatThrownBy(() -> new AlertRouter(List.of(typo), KNOWN, folder))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "routes[0].runbook: unknown runbook 'restart-servce' (did you mean restart-service?);"
                + " runbooks.dir has restart-service");
    assertThatThrownBy(() -> new AlertRouter(List.of(typo), KNOWN))
        .as("a server without runbooks")
        .hasMessageContaining("runbooks.dir has none");
  }

  @Test
  void aContextALabelCannotFillFailsStartUp() {
    assertThatThrownBy(
            () -> new AlertRouter(List.of(route(Map.of("owners", "{{team}}"))), KNOWN, folder))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "routes[0].context.owners: runbook restart-service's variable owners is a list; a"
                + " route fills strings, numbers and booleans only");
    assertThatThrownBy(
            () -> new AlertRouter(List.of(route(Map.of("replicas", "many"))), KNOWN, folder))
        .as("a literal that is not a number")
        .hasMessageContaining(
            "routes[0].context.replicas: replicas: runbook restart-service's variable replicas"
                + " is a number, got 'many'");
  }

  @Test
  void aRouteThatLeavesOutAnInputTheRunbookNeedsFailsStartUp() {
    assertThatThrownBy(
            () -> new AlertRouter(List.of(route(Map.of("replicas", "3"))), KNOWN, folder))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "routes[0].context.service: is missing: runbook restart-service reads input.service"
                + " and declares no default; fill it from the alert, e.g. '{{ service }}' (a"
                + " label)");
  }

  @Test
  void theContextIsFilledFromLabelsAndAnnotationsInTheVariablesKinds() {
    AlertRouter router =
        new AlertRouter(
            List.of(
                route(
                    ordered(
                        "service", "{{service}}",
                        "namespace", "{{namespace}}",
                        "replicas", "{{replicas}}",
                        "urgent", "{{urgent?}}",
                        "summary", "{{annotations.summary}}",
                        "zone", "{{zone?}}"))),
            KNOWN,
            folder);
    var routed =
        router.route(
            alert(
                "firing",
                "fp1",
                Map.of(
                    "service",
                    "orders",
                    "namespace",
                    "demo",
                    "replicas",
                    "4",
                    "urgent",
                    "true",
                    "severity",
                    "critical")));
    assertThat(routed).isInstanceOf(AlertRouter.Routed.Runbook.class);
    var runbook = (AlertRouter.Routed.Runbook) routed;
    assertThat(runbook.request().context())
        .containsExactlyEntriesOf(
            ordered6(
                "service", "orders",
                "namespace", "demo",
                "replicas", 4,
                "urgent", true,
                "summary", "orders answers 503",
                "zone", ""));
    assertThat(runbook.request().runbook().definition().id()).isEqualTo("restart-service");
    assertThat(runbook.request().dryRun()).isFalse();
    assertThat(runbook.request().by()).isEqualTo("opsflow");
    assertThat(runbook.request().severity()).isEqualTo("critical");
    assertThat(runbook.notice().episode()).isEqualTo("fp1@2026-12-02T10:00:00Z");
    assertThat(runbook.workflowId()).matches("runbook-restart-service-alert-[0-9a-f]{16}");
  }

  private static Map<String, Object> ordered6(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @Test
  void alertsThatFillTheContextAlikeAreOneProblem() {
    AlertRouter router =
        new AlertRouter(
            List.of(route(ordered("service", "{{service}}", "namespace", "{{namespace}}"))),
            KNOWN,
            folder);
    String first =
        runbookId(
            router.route(
                alert(
                    "firing",
                    "fp1",
                    Map.of("service", "orders", "namespace", "demo", "pod", "orders-1"))));
    String secondPod =
        runbookId(
            router.route(
                alert(
                    "firing",
                    "fp2",
                    Map.of("service", "orders", "namespace", "demo", "pod", "orders-2"))));
    String otherService =
        runbookId(
            router.route(
                alert("firing", "fp3", Map.of("service", "billing", "namespace", "demo"))));
    assertThat(secondPod).as("another pod of the same service: the same problem").isEqualTo(first);
    assertThat(otherService).isNotEqualTo(first);
  }

  private static String runbookId(AlertRouter.Routed routed) {
    assertThat(routed).isInstanceOf(AlertRouter.Routed.Runbook.class);
    return ((AlertRouter.Routed.Runbook) routed).workflowId();
  }

  @Test
  void aMissingLabelOrAValueOfTheWrongKindMakesTheAlertUnroutableNamingIt() {
    AlertRouter router =
        new AlertRouter(
            List.of(route(ordered("service", "{{service}}", "replicas", "{{replicas}}"))),
            KNOWN,
            folder);
    var missing = router.route(alert("firing", "fp1", Map.of("replicas", "3")));
    assertThat(missing)
        .isEqualTo(
            new AlertRouter.Routed.Unroutable(
                "ServiceDown", "label 'service' is missing (route context service needs it)"));
    var wrongKind =
        router.route(alert("firing", "fp1", Map.of("service", "orders", "replicas", "three")));
    assertThat(wrongKind)
        .isEqualTo(
            new AlertRouter.Routed.Unroutable(
                "ServiceDown",
                "route context replicas: runbook restart-service's variable replicas is a number,"
                    + " got 'three'"));
    var forged =
        router.route(
            alert("firing", "fp1", Map.of("service", "orders\r\nINFO forged", "replicas", "3")));
    assertThat(((AlertRouter.Routed.Unroutable) forged).reason())
        .startsWith("label 'service' 'orders\\r\\nINFO forged' contains control characters");
  }
}
