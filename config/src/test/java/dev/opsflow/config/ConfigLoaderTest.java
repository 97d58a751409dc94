package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsMatchTheDocumentedAutomatonLimits() {
    OpsflowConfig.Healing h = OpsflowConfig.defaults().healing();
    assertThat(h.kafkaLagThreshold()).isEqualTo(15000);
    assertThat(h.postgresConnThreshold()).isEqualTo(85);
    assertThat(h.diskSpaceThreshold()).isEqualTo(85);
    assertThat(h.minReplicas()).isEqualTo(1);
    assertThat(h.maxReplicas()).isEqualTo(10);
    assertThat(h.checkInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(h.actionCooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(OpsflowConfig.defaults().temporal().address()).isEqualTo("127.0.0.1:7233");
    assertThat(OpsflowConfig.defaults().temporal().namespace()).isEqualTo("default");
  }

  @Test
  void environmentOverridesTheFileWhichOverridesDefaults() throws IOException {
    Path file =
        yaml(
            """
            healing:
              maxReplicas: 20
              kafkaLagThreshold: 5000
              actionCooldown: 10m
            kubernetes:
              allowedNamespaces: [payments, orders]
            """);
    OpsflowConfig config =
        ConfigLoader.load(file, Map.of("MAX_REPLICAS", "12", "CHECK_INTERVAL", "30"));
    assertThat(config.healing().maxReplicas()).isEqualTo(12);
    assertThat(config.healing().kafkaLagThreshold()).isEqualTo(5000);
    assertThat(config.healing().actionCooldown()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.healing().checkInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.kubernetes().allowedNamespaces()).containsExactly("payments", "orders");
  }

  @ParameterizedTest(name = "{0}={1} is refused")
  @CsvSource(
      delimiter = '|',
      value = {
        "KAFKA_LAG_THRESHOLD|0|healing.kafkaLagThreshold: must be at least 1, got 0",
        "KAFKA_LAG_THRESHOLD|lots|healing.kafkaLagThreshold: expected a whole number, got 'lots'",
        "POSTGRES_CONN_THRESHOLD|101|healing.postgresConnThreshold: must be between 1 and 100, got 101",
        "DISK_SPACE_THRESHOLD|0|healing.diskSpaceThreshold: must be between 1 and 100, got 0",
        "MIN_REPLICAS|-1|healing.minReplicas: must be between 0 and 1000, got -1",
        "MAX_REPLICAS|0|healing.maxReplicas: must be between 1 and 1000, got 0",
        "MAX_REPLICAS|1001|healing.maxReplicas: must be between 1 and 1000, got 1001",
        "CHECK_INTERVAL|1s|healing.checkInterval: must be between 5s and 1d, got 1s",
        "CHECK_INTERVAL|soon|healing.checkInterval: 'soon' is not a duration",
        "ACTION_COOLDOWN|8d|healing.actionCooldown: must be between 0ms and 7d, got 8d",
        "TEMPORAL_ADDRESS|localhost|temporal.address: expected host:port, got 'localhost'",
        "TEMPORAL_ADDRESS|localhost:99999|temporal.address: port must be between 1 and 65535, got 99999",
        "TEMPORAL_NAMESPACE|''|temporal.namespace: must not be empty",
        "TEMPORAL_TLS|maybe|temporal.tls.enabled: expected true or false, got 'maybe'",
        "TEMPORAL_TLS_CERT|/nonexistent/cert.pem|temporal.tls.clientCert: file /nonexistent/cert.pem does not exist",
        "KUBERNETES_ALLOWED_NAMESPACES|ok,Not_Valid|kubernetes.allowedNamespaces: 'Not_Valid' is not a valid Kubernetes namespace name",
        "KUBECONFIG|/nonexistent/kubeconfig|kubernetes.kubeconfig: file /nonexistent/kubeconfig does not exist",
        "KAFKA_BOOTSTRAP_SERVERS|''|kafka.bootstrapServers: must not be empty",
        "POSTGRES_URL|mysql://db|postgres.url: expected a jdbc:postgresql:// URL, got 'mysql://db'",
        "POSTGRES_USER|''|postgres.user: must not be empty",
        "PROMETHEUS_URL|prometheus:9090|prometheus.url: expected an http:// or https:// URL",
        "SLACK_API_URL|ftp://slack|slack.apiUrl: expected an http:// or https:// URL",
        "PAGERDUTY_EVENTS_URL|nope|pagerduty.eventsUrl: expected an http:// or https:// URL",
        "WEBHOOK_URL|file:///etc/passwd|webhook.url: expected an http:// or https:// URL",
        "COMMAND_ENABLED|sure|command.enabled: expected true or false, got 'sure'",
        "RUNBOOKS_DIR|''|runbooks.dir: must not be empty",
        "RUNBOOKS_SKIP_INVALID|maybe|runbooks.skipInvalid: expected true or false, got 'maybe'",
        "OPSFLOW_HTTP_PORT|70000|http.port: must be between 0 and 65535, got 70000",
        "OPSFLOW_METRICS_PORT|-1|metrics.port: must be between 0 and 65535, got -1",
        "SETTLE_TIME|2h|healing.settleTime: must be between 0ms and 1h, got 2h",
        "CONFIRM_DELAY_HIGH|7h|healing.confirmDelayHigh: must be between 0ms and 6h, got 7h",
        "CONFIRM_DELAY_MEDIUM|x|healing.confirmDelayMedium: 'x' is not a duration",
        "CONFIRM_DELAY_LOW|25h|healing.confirmDelayLow: must be between 0ms and 1d, got 25h",
        "IDLE_SESSION_AGE|0|healing.idleSessionAge: must be between 1s and 7d, got 0ms",
        "LOG_MAX_AGE|10m|healing.logMaxAge: must be between 1h and 3650d, got 10m",
        "LOG_PATHS|/|healing.logPaths: '/' must be an absolute directory other than /",
        "LOG_PATHS|var/log|healing.logPaths: 'var/log' must be an absolute directory",
        "LOG_PATHS|/var/log/../../etc|healing.logPaths: '/var/log/../../etc' must be an absolute directory",
        "MEMORY_RAISE_FACTOR|0.5|healing.memoryRaiseFactor: must be between 1.0 and 10.0, got 0.5",
        "MEMORY_RAISE_FACTOR|double|healing.memoryRaiseFactor: expected a number, got 'double'",
        "MEMORY_RAISE_MIN_STEP|100MB|healing.memoryRaiseMinStep: '100MB' is not a memory quantity",
        "MEMORY_CEILING|huge|healing.memoryCeiling: 'huge' is not a memory quantity",
        "MAX_IN_FLIGHT|0|healing.maxInFlight: must be between 1 and 1000, got 0",
        "MAX_IN_FLIGHT_PER_NAMESPACE|0|healing.maxInFlightPerNamespace: must be between 1 and 1000, got 0",
        "ADMISSION_TIMEOUT|0|healing.admissionTimeout: must be between 1s and 1d, got 0ms",
      })
  void invalidValuesNameTheKeyAndTheAllowedRange(String env, String value, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(env, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message)
        .hasMessageContaining("env " + env);
  }

  @Test
  void minReplicasAboveMaxReplicasIsRefused() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("MIN_REPLICAS", "5", "MAX_REPLICAS", "4")))
        .hasMessageStartingWith(
            "healing.minReplicas: must not exceed healing.maxReplicas (4), got 5");
  }

  @Test
  void memoryStepMustBeBelowTheCeiling() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of("MEMORY_RAISE_MIN_STEP", "1Gi", "MEMORY_CEILING", "1Gi")))
        .hasMessageStartingWith(
            "healing.memoryRaiseMinStep: must be smaller than healing.memoryCeiling");
  }

  @Test
  void routesAreReadWithTheirTemplates() throws IOException {
    Path file =
        yaml(
            """
            routes:
              - alert: KafkaConsumerLagHigh
                match: {team: payments}
                procedure: KafkaLagRemediation
                severity: high
                target: {namespace: "{{namespace}}", deployment: "{{deployment}}", consumerGroup: "{{consumergroup}}"}
            """);
    OpsflowConfig config = ConfigLoader.load(file, Map.of());
    assertThat(config.alerts().routes()).hasSize(1);
    AlertRoute route = config.alerts().routes().get(0);
    assertThat(route.alert()).isEqualTo("KafkaConsumerLagHigh");
    assertThat(route.match()).containsEntry("team", "payments");
    assertThat(route.target()).containsEntry("deployment", "{{deployment}}");
  }

  @Test
  void aRunbookRouteKeepsItsRunbookAndContextInOrder() throws IOException {
    Path file =
        yaml(
            "routes:\n"
                + "  - alert: HighErrorRate\n"
                + "    runbook: high-error-rate\n"
                + "    context: {service: \"{{service}}\", namespace: \"{{namespace}}\","
                + " summary: \"{{annotations.summary?}}\"}\n");
    AlertRoute route = ConfigLoader.load(file, Map.of()).alerts().routes().get(0);
    assertThat(route.startsRunbook()).isTrue();
    assertThat(route.runbook()).isEqualTo("high-error-rate");
    assertThat(route.procedure()).isNull();
    assertThat(route.context().keySet()).containsExactly("service", "namespace", "summary");
    assertThat(route.context()).containsEntry("summary", "{{annotations.summary?}}");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "routes: {alert: X}|routes: must be a list of routing rules",
        "routes: [{procedure: KafkaLagRemediation}]|routes[0].alert: must name the alertname",
        "routes: [{alert: X}]|routes[0].procedure: must name a remediation workflow type",
        "routes: [{alert: X, procedure: P, severity: urgent}]|routes[0].severity: must be one of [critical, high, medium, low], got 'urgent'",
        "routes: [{alert: X, procedure: P, action: scale}]|routes[0]: not a routing rule",
        "routes: [{alert: X, procedure: P, target: {deploymnet: x}}]|routes[0].target.deploymnet: unknown target field (did you mean deployment?); known: [candidate, cluster, consumerGroup, container, database, deployment, namespace, podSelector, topic]",
        "routes: [{alert: X, procedure: P, runbook: r}]|routes[0].runbook: a route starts either a procedure or a runbook; this one names procedure P and runbook r",
        "routes: [{alert: X, runbook: r, target: {namespace: x}}]|routes[0].target: a runbook route fills the run's context: use context, not target",
        "routes: [{alert: X, procedure: P, context: {service: x}}]|routes[0].context: only a runbook route has a context",
        "routes: [{alert: X, runbook: r, context: [service]}]|routes[0]: not a routing rule",
      })
  void badRoutesNameTheRuleAndField(String yamlText, String message) throws IOException {
    Path file = yaml(yamlText);
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageStartingWith(message);
  }

  @Test
  void quantitiesConvertBothWays() {
    assertThat(Quantities.parseBytes("1Gi")).isEqualTo(1L << 30);
    assertThat(Quantities.parseBytes("512Mi")).isEqualTo(512L << 20);
    assertThat(Quantities.parseBytes("1G")).isEqualTo(1_000_000_000L);
    assertThat(Quantities.parseBytes("1.5Gi")).isEqualTo(3L << 29);
    assertThat(Quantities.parseBytes("1048576")).isEqualTo(1L << 20);
    assertThat(Quantities.format(2L << 30)).isEqualTo("2Gi");
    assertThat(Quantities.format((long) (1.2 * (1L << 30)))).isEqualTo("1229Mi");
    assertThatThrownBy(() -> Quantities.parseBytes("-1Gi"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientCertificateWithoutKeyIsRefused() throws IOException {
    Path cert = Files.writeString(dir.resolve("client.pem"), "x");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TEMPORAL_TLS_CERT", cert.toString())))
        .hasMessageStartingWith(
            "temporal.tls.clientKey: client certificate and key must be given together");
  }

  @Test
  void unknownKeysInTheFileAreRefusedSoTyposDoNotPassSilently() throws IOException {
    Path file = yaml("healing:\n  maxReplica: 5\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("healing.maxReplica: unknown setting");
  }

  @Test
  void theRemovedMemoryThresholdIsRefusedWithTheReason() throws IOException {
    Path file = yaml("healing:\n  memoryThreshold: 85\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "healing.memoryThreshold: no longer a setting: no procedure ever read it");
    assertThat(ConfigKey.byPath("healing.memoryThreshold")).isEmpty();
  }

  @Test
  void aMalformedFileIsReportedWithItsPath() throws IOException {
    Path file = yaml("healing: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageStartingWith("config: cannot read " + file);
  }

  @Test
  void secretsAreNotAcceptedInTheFile() throws IOException {
    Path file = yaml("slack:\n  token: xoxb-very-secret\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageStartingWith(
            "slack.token: secrets are not read from the config file; set SLACK_TOKEN or slack.tokenFile")
        .hasMessageNotContaining("xoxb-very-secret");
  }

  @Test
  void secretsComeFromEnvironmentOrFilesAndNeverPrint() throws IOException {
    Path tokenFile = Files.writeString(dir.resolve("pd"), "routing-key-123\n");
    Path passwordFile = Files.writeString(dir.resolve("pw"), "pg-pass-456");
    Path file = yaml("postgres:\n  passwordFile: " + passwordFile + "\n");
    OpsflowConfig config =
        ConfigLoader.load(
            file,
            Map.of(
                "SLACK_TOKEN", "xoxb-secret-789",
                "SLACK_CHANNEL", "#ops",
                "PAGERDUTY_ROUTING_KEY_FILE", tokenFile.toString()));
    assertThat(config.slack().token().reveal()).isEqualTo("xoxb-secret-789");
    assertThat(config.pagerduty().routingKey().reveal()).isEqualTo("routing-key-123");
    assertThat(config.postgres().password().reveal()).isEqualTo("pg-pass-456");
    assertThat(config.slack().configured()).isTrue();
    String printed = config.toString();
    assertThat(printed)
        .doesNotContain("xoxb-secret-789", "routing-key-123", "pg-pass-456")
        .contains("****");
  }

  @Test
  void anUnreadableSecretFileNamesThePathButNotContent() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("SLACK_TOKEN_FILE", "/nonexistent/token")))
        .hasMessageStartingWith("SLACK_TOKEN_FILE: cannot read secret file /nonexistent/token");
  }

  @Test
  void unconfiguredChannelsReportThemselvesAsSuch() {
    OpsflowConfig config = OpsflowConfig.defaults();
    assertThat(config.slack().configured()).isFalse();
    assertThat(config.pagerduty().configured()).isFalse();
    assertThat(config.webhook().configured()).isFalse();
    assertThat(config.command().enabled()).isFalse();
  }

  @Test
  void theRunbooksFolderDefaultsToRunbooksAndKnowsWhetherItWasConfigured() {
    assertThat(OpsflowConfig.defaults().runbooks())
        .isEqualTo(new OpsflowConfig.Runbooks("runbooks", true, false));
    assertThat(
            ConfigLoader.load(
                    null, Map.of("RUNBOOKS_DIR", "/etc/runbooks", "RUNBOOKS_SKIP_INVALID", "true"))
                .runbooks())
        .isEqualTo(new OpsflowConfig.Runbooks("/etc/runbooks", false, true));
  }

  @Test
  void runbooksHttpAllowIsAListOfUrlPrefixesAndABadOneStopsTheStart() throws IOException {
    assertThat(OpsflowConfig.defaults().runbooks().httpAllow().allowsAll()).isTrue();
    Path file =
        yaml(
            "runbooks:\n"
                + "  httpAllow: [\"https://status.example.com\", \"http://*.demo.svc:8080/admin\"]\n");
    HttpAllowList allow = ConfigLoader.load(file, Map.of()).runbooks().httpAllow();
    assertThat(allow.entries())
        .containsExactly("https://status.example.com", "http://*.demo.svc:8080/admin");
    assertThat(allow.refusal("http://cache.demo.svc:8080/admin/flush")).isEmpty();
    assertThat(
            ConfigLoader.load(
                    null, Map.of("RUNBOOKS_HTTP_ALLOW", "https://a.example,https://b.example"))
                .runbooks()
                .httpAllow()
                .entries())
        .containsExactly("https://a.example", "https://b.example");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of("RUNBOOKS_HTTP_ALLOW", "https://a.example,b.example")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "runbooks.httpAllow: entry 2 'b.example': give scheme://host[:port][/path] with http or"
                + " https, e.g. https://status.example.com (env RUNBOOKS_HTTP_ALLOW)");
  }

  @Test
  void durationsAcceptTheFormsOperatorsType() {
    assertThat(Durations.parse("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
  }

  @Test
  void theExampleFileInTheRepositoryLoadsAndListsEveryKey() throws IOException {
    Path example = Path.of("..", "opsflow.example.yaml");
    OpsflowConfig config = ConfigLoader.load(example, Map.of());
    assertThat(config).isEqualTo(OpsflowConfig.defaults());
    String text = Files.readString(example);
    List<String> missing =
        java.util.Arrays.stream(ConfigKey.values())
            .filter(k -> !k.secret())
            .map(k -> k.path().substring(k.path().lastIndexOf('.') + 1) + ":")
            .filter(leaf -> !text.contains(leaf))
            .toList();
    assertThat(missing).as("keys missing from opsflow.example.yaml").isEmpty();
  }

  @Test
  void theReadmeConfigurationTableListsEveryKeyAndVariable() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigKey key : ConfigKey.values()) {
      assertThat(readme)
          .as("README row for " + key.path())
          .contains("`" + key.path() + "`", "`" + key.env() + "`");
    }
  }
}
