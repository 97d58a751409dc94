package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.opsflow.config.ConfigKey;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml, parsed (anchors and merge keys resolved, as Compose does) and checked against
 * the code and the configs it mounts; and, where Debian's docker-compose is installed, by {@code
 * docker-compose config} itself.
 */
class ComposeFileTest {
  private static final Path ROOT = RepositoryRoot.path();
  private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  private static final List<String> OPSFLOW = List.of("opsflow-worker", "opsflow-starter");

  /** Containers that run once and exit (no health check; others wait for them to complete). */
  private static final Set<String> ONE_SHOT =
      Set.of("temporal-schema", "temporal-create-namespace", "postgres-idle-sessions");

  private static final Pattern PINNED_TAG =
      Pattern.compile("[^:/]+(/[^:/]+)*:v?\\d+\\.\\d+(\\.\\d+)?");

  @SuppressWarnings("unchecked")
  private static final Map<String, Object> FILE = (Map<String, Object>) load(COMPOSE);

  @Test
  void runsTheWholeStack() {
    assertThat(services().keySet())
        .containsExactlyInAnyOrder(
            "temporal-postgresql",
            "temporal-schema",
            "temporal",
            "temporal-create-namespace",
            "temporal-admin-tools",
            "temporal-ui",
            "postgres",
            "postgres-idle-sessions",
            "kafka",
            "opsflow-worker",
            "opsflow-starter",
            "prometheus",
            "alertmanager",
            "grafana");
    assertThat(map(service("kafka"), "environment"))
        .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
    assertThat(map(service("temporal"), "environment")).containsEntry("DB", "postgres12");
    assertThat(string(service("temporal-schema"), "image")).startsWith("temporalio/admin-tools:");
    assertThat(string(service("temporal-admin-tools"), "image"))
        .startsWith("temporalio/admin-tools:");
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    services()
        .forEach(
            (name, s) -> {
              String image = string(s, "image");
              assertThat(image).as(name).isNotNull().doesNotEndWith(":latest");
              assertThat(PINNED_TAG.matcher(image).matches())
                  .as(name + " image " + image + " has no version tag")
                  .isTrue();
            });
    // Temporal's server, schema tool and CLI come from one release.
    assertThat(string(service("temporal"), "image").split(":")[1])
        .isEqualTo(string(service("temporal-schema"), "image").split(":")[1])
        .isEqualTo(string(service("temporal-admin-tools"), "image").split(":")[1]);
    for (String name : OPSFLOW) {
      assertThat(service(name).get("build"))
          .as(name + " is built from the Dockerfile")
          .isEqualTo(".");
    }
  }

  @Test
  void everyLongRunningServiceHasAHealthCheck() {
    services()
        .forEach(
            (name, s) -> {
              if (ONE_SHOT.contains(name)) {
                assertThat(s).as(name).doesNotContainKey("healthcheck");
              } else {
                assertThat(map(s, "healthcheck")).as(name + " health check").containsKey("test");
              }
            });
    // The opsflow health checks ask the port the process listens on: the worker its /healthz, the
    // starter its /readyz, which says ok only while Temporal answers.
    assertThat(healthCheck("opsflow-worker"))
        .contains(
            "/dev/tcp/127.0.0.1/" + env("opsflow-worker").get("OPSFLOW_METRICS_PORT"),
            "GET /healthz");
    assertThat(healthCheck("opsflow-starter"))
        .contains(
            "/dev/tcp/127.0.0.1/" + env("opsflow-starter").get("OPSFLOW_HTTP_PORT"), "GET /readyz");
  }

  @Test
  void servicesStartInDependencyOrderOnConditionsThatCanBeMet() {
    Map<String, Map<String, Object>> services = services();
    services.forEach(
        (name, s) -> {
          for (Map.Entry<String, Object> dep : dependsOn(s).entrySet()) {
            assertThat(services).as(name + " depends on " + dep.getKey()).containsKey(dep.getKey());
            String condition = (String) ((Map<?, ?>) dep.getValue()).get("condition");
            if (ONE_SHOT.contains(dep.getKey())) {
              assertThat(condition)
                  .as(name + " -> " + dep.getKey())
                  .isEqualTo("service_completed_successfully");
            } else {
              assertThat(condition).as(name + " -> " + dep.getKey()).isEqualTo("service_healthy");
              assertThat(services.get(dep.getKey())).containsKey("healthcheck");
            }
          }
        });
    List<String> order = startOrder(services);
    assertThat(order.indexOf("temporal-schema")).isLessThan(order.indexOf("temporal"));
    assertThat(order.indexOf("temporal")).isLessThan(order.indexOf("temporal-create-namespace"));
    assertThat(order.indexOf("temporal-create-namespace"))
        .isLessThan(order.indexOf("opsflow-worker"));
    assertThat(order.indexOf("opsflow-worker")).isLessThan(order.indexOf("opsflow-starter"));
    assertThat(order.indexOf("opsflow-starter")).isLessThan(order.indexOf("alertmanager"));
  }

  @Test
  void publishedPortsDoNotClashAndMatchWhatTheProcessesListenOn() {
    Map<String, String> hostPorts = new HashMap<>();
    services()
        .forEach(
            (name, s) -> {
              for (Object p : list(s, "ports")) {
                String[] parts = p.toString().split(":");
                assertThat(hostPorts.put(parts[0], name))
                    .as("host port " + parts[0] + " published twice")
                    .isNull();
              }
            });
    assertThat(hostPorts)
        .containsEntry("8080", "opsflow-starter")
        .containsEntry("8233", "temporal-ui")
        .containsEntry("7233", "temporal");
    assertThat(list(service("opsflow-starter"), "ports"))
        .contains("8080:" + env("opsflow-starter").get("OPSFLOW_HTTP_PORT"));
    assertThat(list(service("opsflow-worker"), "ports"))
        .contains("9464:" + env("opsflow-worker").get("OPSFLOW_METRICS_PORT"));
  }

  @Test
  void theOpsflowServicesAreConfiguredOnlyByConfigKeysAndOpsflowAcceptsThem() throws IOException {
    for (String name : OPSFLOW) {
      Map<String, String> env = env(name);
      Map<String, String> asMounted = new HashMap<>();
      for (Map.Entry<String, String> e : env.entrySet()) {
        Optional<ConfigKey> key =
            Arrays.stream(ConfigKey.values()).filter(k -> k.env().equals(e.getKey())).findFirst();
        Optional<ConfigKey> secretFile =
            Arrays.stream(ConfigKey.values())
                .filter(k -> k.secret() && (k.env() + "_FILE").equals(e.getKey()))
                .findFirst();
        assertThat(key.isPresent() || secretFile.isPresent())
            .as(name + ": " + e.getKey() + " is no ConfigKey env (nor a secret's _FILE)")
            .isTrue();
        assertThat(key.map(ConfigKey::secret).orElse(false))
            .as(name + ": secret " + e.getKey() + " as a plain value")
            .isFalse();
        asMounted.put(
            e.getKey(),
            secretFile.isPresent()
                ? hostPathOfSecret(name, e.getValue()).toString()
                : e.getValue());
      }
      Path configFile = ROOT.resolve(hostPath(name, "/etc/opsflow/opsflow.yaml"));
      assertThat(command(name)).containsSubsequence("--config", "/etc/opsflow/opsflow.yaml");

      OpsflowConfig config = ConfigLoader.load(configFile, asMounted);

      assertThat(config.temporal().address()).isEqualTo("temporal:7233");
      assertThat(config.postgres().url()).isEqualTo("jdbc:postgresql://postgres:5432/opsflow");
      assertThat(config.postgres().password().reveal()).isEqualTo("opsflow-compose");
      assertThat(config.procedures().get("PostgresConnectionRemediation").approval().approvers())
          .contains("alice");
    }
    assertThat(command("opsflow-worker").get(0)).isEqualTo("worker");
    assertThat(command("opsflow-starter").get(0)).isEqualTo("starter");
    assertThat(env("opsflow-starter")).containsEntry("OPSFLOW_HTTP_HOST", "0.0.0.0");
  }

  @Test
  void alertmanagerCallsTheStarterWebhookWithTheTokenTheStarterChecks() {
    Map<String, Object> am =
        loadMap(ROOT.resolve(hostPath("alertmanager", "/etc/alertmanager/alertmanager.yml")));
    Map<?, ?> webhook =
        (Map<?, ?>)
            ((List<?>) ((Map<?, ?>) ((List<?>) am.get("receivers")).get(0)).get("webhook_configs"))
                .get(0);
    assertThat(webhook.get("url"))
        .isEqualTo(
            "http://opsflow-starter:"
                + env("opsflow-starter").get("OPSFLOW_HTTP_PORT")
                + "/alerts");
    assertThat(webhook.get("send_resolved")).isEqualTo(true);
    String credentials =
        (String)
            ((Map<?, ?>) ((Map<?, ?>) webhook.get("http_config")).get("authorization"))
                .get("credentials_file");
    assertThat(hostPathOfSecret("alertmanager", credentials))
        .isEqualTo(
            hostPathOfSecret(
                "opsflow-starter", env("opsflow-starter").get("ALERTS_BEARER_TOKEN_FILE")));
  }

  @Test
  void prometheusScrapesWorkerAndStarterAndLoadsTheChartsAlertRules() {
    Map<String, Object> prom =
        loadMap(ROOT.resolve(hostPath("prometheus", "/etc/prometheus/prometheus.yml")));
    Map<String, String> targets = new HashMap<>();
    for (Object job : (List<?>) prom.get("scrape_configs")) {
      for (Object sc : (List<?>) ((Map<?, ?>) job).get("static_configs")) {
        Map<?, ?> labels = (Map<?, ?>) ((Map<?, ?>) sc).get("labels");
        for (Object t : (List<?>) ((Map<?, ?>) sc).get("targets")) {
          targets.put(t.toString(), labels == null ? "" : String.valueOf(labels.get("component")));
        }
      }
    }
    assertThat(targets)
        .containsEntry(
            "opsflow-worker:" + env("opsflow-worker").get("OPSFLOW_METRICS_PORT"), "worker")
        .containsEntry(
            "opsflow-starter:" + env("opsflow-starter").get("OPSFLOW_HTTP_PORT"), "starter");
    String rules = (String) ((List<?>) prom.get("rule_files")).get(0);
    assertThat(hostPath("prometheus", rules))
        .isEqualTo(Path.of("helm/opsflow/files/opsflow-alerts.yml"));
    assertThat(hostPath("grafana", "/var/lib/grafana/dashboards/opsflow.json"))
        .isEqualTo(Path.of("helm/opsflow/files/opsflow-dashboard.json"));
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Optional<Path> binary =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .map(dir -> Path.of(dir, "docker-compose"))
            .filter(Files::isExecutable)
            .findFirst();
    assumeTrue(
        binary.isPresent(),
        "docker-compose is not on PATH (apt-get install docker-compose); skipping `docker-compose config`");
    Process p =
        new ProcessBuilder(
                binary.get().toString(), "-f", COMPOSE.toString(), "config", "--services")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().toList()).containsAll(services().keySet());
  }

  // --- reading the file -------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() {
    return (Map<String, Map<String, Object>>) FILE.get("services");
  }

  private static Map<String, Object> service(String name) {
    return services().get(name);
  }

  private static Map<String, String> env(String name) {
    Map<String, String> env = new HashMap<>();
    map(service(name), "environment").forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  @SuppressWarnings("unchecked")
  private static List<String> command(String name) {
    return (List<String>) service(name).get("command");
  }

  private static String healthCheck(String name) {
    return String.join(
        " ",
        list(map(service(name), "healthcheck"), "test").stream().map(Object::toString).toList());
  }

  /** The repository file mounted at a container path (bind mounts are "./host:container[:ro]"). */
  private static Path hostPath(String name, String containerPath) {
    for (Object v : list(service(name), "volumes")) {
      String[] parts = v.toString().split(":");
      if (parts.length >= 2 && parts[0].startsWith("./") && containerPath.startsWith(parts[1])) {
        return Path.of(parts[0].substring(2) + containerPath.substring(parts[1].length()));
      }
    }
    throw new AssertionError(name + " mounts nothing at " + containerPath);
  }

  /** The repository file behind a Docker secret, mounted at /run/secrets/NAME. */
  private static Path hostPathOfSecret(String name, String containerPath) {
    String secret = containerPath.substring("/run/secrets/".length());
    assertThat(list(service(name), "secrets"))
        .as(name + " mounts secret " + secret)
        .contains(secret);
    Map<?, ?> secrets = (Map<?, ?>) FILE.get("secrets");
    String file = (String) ((Map<?, ?>) secrets.get(secret)).get("file");
    return ROOT.resolve(file.substring(2));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> dependsOn(Map<String, Object> s) {
    Object d = s.get("depends_on");
    return d == null ? Map.of() : (Map<String, Object>) d;
  }

  private static List<String> startOrder(Map<String, Map<String, Object>> services) {
    List<String> order = new ArrayList<>();
    Set<String> visiting = new HashSet<>();
    for (String name : services.keySet()) {
      visit(name, services, order, visiting);
    }
    return order;
  }

  private static void visit(
      String name,
      Map<String, Map<String, Object>> services,
      List<String> order,
      Set<String> visiting) {
    if (order.contains(name)) {
      return;
    }
    assertThat(visiting.add(name)).as("depends_on cycle through " + name).isTrue();
    for (String dep : dependsOn(services.get(name)).keySet()) {
      visit(dep, services, order, visiting);
    }
    order.add(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? Map.of() : (Map<String, Object>) v;
  }

  private static List<Object> list(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? List.of() : new ArrayList<>((List<?>) v);
  }

  private static String string(Map<String, Object> m, String key) {
    return (String) m.get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> loadMap(Path file) {
    return (Map<String, Object>) load(file);
  }

  private static Object load(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
