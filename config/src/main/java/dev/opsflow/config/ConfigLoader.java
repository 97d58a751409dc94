package dev.opsflow.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads {@code opsflow.yaml}, applies environment overrides (env wins over the file, the file over
 * defaults) and validates every value. A bad value stops start-up with a {@link ConfigException}
 * that names the key, the variable that can set it and the allowed range.
 */
public final class ConfigLoader {
  /** Top-level sections holding structured data (lists of rules) that later features bind. */
  private static final Set<String> STRUCTURED_SECTIONS = Set.of("routes", "watch", "procedures");

  /**
   * Settings that were documented but never read, with what to do instead: a file that still has
   * one is told why, rather than getting "unknown setting" for a key the docs once showed.
   */
  private static final Map<String, String> REMOVED =
      Map.of(
          "healing.memoryThreshold",
          "no longer a setting: no procedure ever read it (the OOM remediation acts on an"
              + " OOMKilled container, not on a usage percentage); remove the line");

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private final Map<String, String> values = new HashMap<>();
  private List<AlertRoute> routes = List.of();
  private OpsflowConfig.Watch watch = OpsflowConfig.Watch.NONE;
  private Map<String, ProcedureSettings> procedures = Map.of();
  private Map<String, OpsflowConfig.FailoverCluster> failoverClusters = Map.of();
  private final Map<String, String> env;

  private ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /**
   * @param file the YAML file, or null for none
   * @param env the process environment (pass {@code System.getenv()})
   */
  public static OpsflowConfig load(Path file, Map<String, String> env) {
    ConfigLoader loader = new ConfigLoader(env);
    for (ConfigKey key : ConfigKey.values()) {
      loader.values.put(key.path(), key.defaultValue());
    }
    if (file != null) {
      loader.readFile(file);
    }
    loader.applyEnvironment();
    return loader.build();
  }

  private void readFile(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException("config", file + " must be a YAML mapping of sections");
    }
    flatten("", root);
  }

  private void flatten(String prefix, JsonNode node) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (prefix.isEmpty() && path.equals("routes")) {
        routes = readRoutes(value);
        continue;
      }
      if (prefix.isEmpty() && path.equals("procedures")) {
        procedures = readProcedures(value);
        continue;
      }
      if (prefix.isEmpty() && path.equals("watch")) {
        watch = readWatch(value);
        continue;
      }
      if (path.equals("failover.clusters")) {
        failoverClusters = readFailoverClusters(value);
        continue;
      }
      if (path.equals(ConfigKey.FEATURE_FLAG_SERVICES.path()) && value.isObject()) {
        // The map form (name: url) reads as the list form (name=url), as the variable has it.
        StringBuilder entries = new StringBuilder();
        value
            .fields()
            .forEachRemaining(
                e ->
                    entries
                        .append(entries.length() == 0 ? "" : ",")
                        .append(e.getKey())
                        .append('=')
                        .append(e.getValue().asText()));
        values.put(path, entries.toString());
        continue;
      }
      if (value.isObject()) {
        flatten(path, value);
      } else {
        putFromFile(path, value);
      }
    }
  }

  private static List<AlertRoute> readRoutes(JsonNode node) {
    if (!node.isArray()) {
      throw new ConfigException("routes", "must be a list of routing rules");
    }
    ObjectMapper mapper = new ObjectMapper();
    java.util.ArrayList<AlertRoute> list = new java.util.ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String key = "routes[" + i + "]";
      AlertRoute route;
      try {
        route = mapper.treeToValue(node.get(i), AlertRoute.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new ConfigException(key, "not a routing rule (" + e.getOriginalMessage() + ")");
      }
      if (route.alert() == null || route.alert().isBlank()) {
        throw new ConfigException(key + ".alert", "must name the alertname to match");
      }
      if (route.procedure() == null && route.runbook() == null) {
        throw new ConfigException(
            key + ".procedure",
            "must name a remediation workflow type (or give runbook: a runbook's id)");
      }
      if (route.procedure() != null && route.runbook() != null) {
        throw new ConfigException(
            key + ".runbook",
            "a route starts either a procedure or a runbook; this one names procedure "
                + route.procedure()
                + " and runbook "
                + route.runbook());
      }
      if (route.runbook() != null && !route.target().isEmpty()) {
        throw new ConfigException(
            key + ".target", "a runbook route fills the run's context: use context, not target");
      }
      if (route.procedure() != null && !route.context().isEmpty()) {
        throw new ConfigException(
            key + ".context", "only a runbook route has a context; a procedure's has target");
      }
      for (String field : route.target().keySet()) {
        if (!TARGET_FIELDS.contains(field)) {
          throw new ConfigException(
              key + ".target." + field,
              "unknown target field"
                  + Spelling.hint(field, TARGET_FIELDS)
                  + "; known: "
                  + new java.util.TreeSet<>(TARGET_FIELDS));
        }
      }
      if (!route.severity().isEmpty() && !Severities.ALL.contains(route.severity())) {
        throw new ConfigException(
            key + ".severity",
            "must be one of " + Severities.ALL + ", got '" + route.severity() + "'");
      }
      list.add(route);
    }
    return List.copyOf(list);
  }

  private static final Pattern TYPE_NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]+");

  /**
   * Reads {@code procedures: {<WorkflowType>: {approval, escalation, askOnFailure,
   * decisionTimeout}}}. Whether a type exists is checked where the workflow catalog is known:
   * {@link OpsflowConfig#requireKnownProcedures}.
   */
  private static Map<String, ProcedureSettings> readProcedures(JsonNode node) {
    if (!node.isObject()) {
      throw new ConfigException("procedures", "must map workflow types to their settings");
    }
    ObjectMapper mapper = new ObjectMapper();
    Map<String, ProcedureSettings> result = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = "procedures." + entry.getKey();
      if (!TYPE_NAME.matcher(entry.getKey()).matches()) {
        throw new ConfigException(key, "must be a workflow type name, e.g. CrashLoopRemediation");
      }
      ProcedureSettings settings;
      try {
        settings = mapper.treeToValue(entry.getValue(), ProcedureSettings.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new ConfigException(key, "not procedure settings (" + e.getOriginalMessage() + ")");
      }
      validate(key, settings);
      result.put(entry.getKey(), settings);
    }
    return java.util.Collections.unmodifiableMap(result);
  }

  private static void validate(String key, ProcedureSettings settings) {
    ProcedureSettings.Approval approval = settings.approval();
    if (approval != null) {
      String a = key + ".approval";
      if (approval.approvers().isEmpty()) {
        throw new ConfigException(a + ".approvers", "must name at least one approver");
      }
      for (String user : approval.approvers()) {
        if (!USER_NAME.matcher(user).matches()) {
          throw new ConfigException(a + ".approvers", "'" + user + "' is not a user name");
        }
      }
      if (approval.required() < 1 || approval.required() > approval.approvers().size()) {
        throw new ConfigException(
            a + ".required",
            "must be between 1 and the number of approvers ("
                + approval.approvers().size()
                + "), got "
                + approval.required());
      }
      durationWithin(
          a + ".timeout", approval.timeout(), Duration.ofMinutes(1), Duration.ofDays(30));
      if (!List.of("escalate", "reject", "approve").contains(approval.onTimeout())) {
        throw new ConfigException(
            a + ".onTimeout",
            "must be escalate, reject or approve, got '" + approval.onTimeout() + "'");
      }
      for (String ns : approval.namespaces()) {
        if (!NAMESPACE.matcher(ns).matches()) {
          throw new ConfigException(
              a + ".namespaces", "'" + ns + "' is not a valid Kubernetes namespace name");
        }
      }
    }
    for (int i = 0; i < settings.escalation().size(); i++) {
      ProcedureSettings.Step step = settings.escalation().get(i);
      String s = key + ".escalation[" + i + "]";
      if (step == null || !ProcedureSettings.Step.CHANNELS.contains(step.channel())) {
        throw new ConfigException(
            s + ".channel", "must be one of " + ProcedureSettings.Step.CHANNELS);
      }
      durationWithin(s + ".after", step.after(), Duration.ZERO, Duration.ofDays(7));
    }
    if (settings.decisionTimeout() != null) {
      durationWithin(
          key + ".decisionTimeout",
          settings.decisionTimeout(),
          Duration.ofMinutes(1),
          Duration.ofDays(30));
    }
  }

  private static Duration durationWithin(String key, String text, Duration min, Duration max) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ConfigException(
          key,
          "must be between "
              + Durations.format(min)
              + " and "
              + Durations.format(max)
              + ", got "
              + Durations.format(d));
    }
    return d;
  }

  private static final Set<String> TARGET_FIELDS =
      Set.of(
          "namespace",
          "deployment",
          "container",
          "consumerGroup",
          "topic",
          "database",
          "podSelector",
          "cluster",
          "candidate");

  private static final Set<String> CLUSTER_FIELDS =
      Set.of("namespace", "service", "roleLabelKey", "members");
  private static final Set<String> MEMBER_FIELDS = Set.of("url", "user", "passwordFile", "pod");
  private static final Pattern MEMBER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * Reads {@code failover.clusters}: cluster name -> namespace, service, roleLabelKey and members
   * (member name -> url, user, passwordFile, pod). A member name is unique across clusters, since
   * the failover activities address members by name alone.
   */
  private static Map<String, OpsflowConfig.FailoverCluster> readFailoverClusters(JsonNode node) {
    String root = "failover.clusters";
    if (!node.isObject()) {
      throw new ConfigException(root, "must map cluster names to their members and Service");
    }
    Map<String, OpsflowConfig.FailoverCluster> clusters = new java.util.TreeMap<>();
    Set<String> memberNames = new java.util.HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = root + "." + entry.getKey();
      if (!MEMBER_NAME.matcher(entry.getKey()).matches()) {
        throw new ConfigException(key, "a cluster name is lower-case letters, digits and '-'");
      }
      JsonNode c = entry.getValue();
      if (!c.isObject()) {
        throw new ConfigException(key, "must be a mapping of " + CLUSTER_FIELDS);
      }
      unknownFields(key, c, CLUSTER_FIELDS);
      String namespace = text(key + ".namespace", c.get("namespace"));
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new ConfigException(key + ".namespace", "not a namespace name: '" + namespace + "'");
      }
      String service = text(key + ".service", c.get("service"));
      String label =
          c.hasNonNull("roleLabelKey")
              ? text(key + ".roleLabelKey", c.get("roleLabelKey"))
              : "role";
      JsonNode ms = c.get("members");
      if (ms == null || !ms.isObject() || ms.size() < 2) {
        throw new ConfigException(
            key + ".members", "must map at least two member names to url, user, passwordFile, pod");
      }
      Map<String, OpsflowConfig.FailoverMember> members = new java.util.TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> m = ms.fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> member = m.next();
        String mkey = key + ".members." + member.getKey();
        if (!MEMBER_NAME.matcher(member.getKey()).matches()) {
          throw new ConfigException(mkey, "a member name is lower-case letters, digits and '-'");
        }
        if (!memberNames.add(member.getKey())) {
          throw new ConfigException(
              mkey, "member name used twice (names are unique across clusters)");
        }
        JsonNode v = member.getValue();
        if (!v.isObject()) {
          throw new ConfigException(mkey, "must be a mapping of " + MEMBER_FIELDS);
        }
        unknownFields(mkey, v, MEMBER_FIELDS);
        String url = text(mkey + ".url", v.get("url"));
        if (!url.startsWith("jdbc:postgresql:")) {
          throw new ConfigException(mkey + ".url", "expected a jdbc:postgresql:// URL");
        }
        Secret password =
            v.hasNonNull("passwordFile")
                ? Secret.of(readSecretFile(mkey + ".passwordFile", v.get("passwordFile").asText()))
                : Secret.empty();
        members.put(
            member.getKey(),
            new OpsflowConfig.FailoverMember(
                url,
                text(mkey + ".user", v.get("user")),
                password,
                text(mkey + ".pod", v.get("pod"))));
      }
      clusters.put(
          entry.getKey(), new OpsflowConfig.FailoverCluster(namespace, service, label, members));
    }
    return clusters;
  }

  private static void unknownFields(String key, JsonNode node, Set<String> known) {
    for (Iterator<String> f = node.fieldNames(); f.hasNext(); ) {
      String field = f.next();
      if (!known.contains(field)) {
        throw new ConfigException(key + "." + field, "unknown field; known: " + known);
      }
    }
  }

  private static String text(String key, JsonNode value) {
    if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
      throw new ConfigException(key, "is required");
    }
    return value.asText().trim();
  }

  private static OpsflowConfig.Watch readWatch(JsonNode node) {
    if (!node.isObject()) {
      throw new ConfigException(
          "watch", "must map checks (kafka, postgres, pods, disk) to lists of targets");
    }
    java.util.Map<String, List<java.util.Map<String, String>>> lists = new java.util.HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> check = it.next();
      String key = "watch." + check.getKey();
      if (!OpsflowConfig.Watch.CHECKS.contains(check.getKey())) {
        throw new ConfigException(key, "unknown check; known: " + OpsflowConfig.Watch.CHECKS);
      }
      if (!check.getValue().isArray()) {
        throw new ConfigException(key, "must be a list of targets");
      }
      List<java.util.Map<String, String>> targets = new java.util.ArrayList<>();
      for (int i = 0; i < check.getValue().size(); i++) {
        JsonNode t = check.getValue().get(i);
        if (!t.isObject()) {
          throw new ConfigException(key + "[" + i + "]", "must be a mapping of target fields");
        }
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> f = t.fields(); f.hasNext(); ) {
          Map.Entry<String, JsonNode> field = f.next();
          if (!TARGET_FIELDS.contains(field.getKey())) {
            throw new ConfigException(
                key + "[" + i + "]." + field.getKey(),
                "unknown target field; known: " + TARGET_FIELDS);
          }
          fields.put(field.getKey(), field.getValue().asText());
        }
        targets.add(java.util.Map.copyOf(fields));
      }
      lists.put(check.getKey(), List.copyOf(targets));
    }
    return new OpsflowConfig.Watch(
        lists.getOrDefault("kafka", List.of()),
        lists.getOrDefault("postgres", List.of()),
        lists.getOrDefault("pods", List.of()),
        lists.getOrDefault("disk", List.of()));
  }

  private void putFromFile(String path, JsonNode value) {
    if (path.endsWith("File")) {
      String secretPath = path.substring(0, path.length() - "File".length());
      ConfigKey key =
          ConfigKey.byPath(secretPath)
              .filter(ConfigKey::secret)
              .orElseThrow(() -> new ConfigException(path, "unknown setting"));
      values.put(key.path(), readSecretFile(path, value.asText()));
      return;
    }
    if (REMOVED.containsKey(path)) {
      throw new ConfigException(path, REMOVED.get(path));
    }
    ConfigKey key =
        ConfigKey.byPath(path)
            .orElseThrow(() -> new ConfigException(path, "unknown setting (check the spelling)"));
    if (key.secret()) {
      throw new ConfigException(
          path,
          "secrets are not read from the config file; set "
              + key.env()
              + " or "
              + key.path()
              + "File (a path)");
    }
    String text;
    if (value.isArray()) {
      StringBuilder sb = new StringBuilder();
      value.forEach(v -> sb.append(sb.length() == 0 ? "" : ",").append(v.asText()));
      text = sb.toString();
    } else if (value.isNull()) {
      text = "";
    } else {
      text = value.asText();
    }
    values.put(path, text);
  }

  private void applyEnvironment() {
    for (ConfigKey key : ConfigKey.values()) {
      String v = env.get(key.env());
      if (v != null) {
        values.put(key.path(), v);
      }
      if (key.secret()) {
        String file = env.get(key.env() + "_FILE");
        if (file != null && !file.isBlank()) {
          values.put(key.path(), readSecretFile(key.env() + "_FILE", file));
        }
      }
    }
  }

  private static String readSecretFile(String key, String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      // The path may be shown; the content never is.
      throw new ConfigException(
          key, "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private OpsflowConfig build() {
    OpsflowConfig.Tls tls =
        new OpsflowConfig.Tls(
            bool(ConfigKey.TEMPORAL_TLS),
            existingFileOrEmpty(ConfigKey.TEMPORAL_TLS_CERT),
            existingFileOrEmpty(ConfigKey.TEMPORAL_TLS_KEY),
            existingFileOrEmpty(ConfigKey.TEMPORAL_TLS_CA),
            str(ConfigKey.TEMPORAL_TLS_SERVER_NAME));
    if (tls.clientCert().isEmpty() != tls.clientKey().isEmpty()) {
      throw error(ConfigKey.TEMPORAL_TLS_KEY, "client certificate and key must be given together");
    }
    OpsflowConfig.Healing healing =
        new OpsflowConfig.Healing(
            longIn(ConfigKey.KAFKA_LAG_THRESHOLD, 1, Long.MAX_VALUE),
            intIn(ConfigKey.POSTGRES_CONN_THRESHOLD, 1, 100),
            intIn(ConfigKey.DISK_SPACE_THRESHOLD, 1, 100),
            intIn(ConfigKey.MIN_REPLICAS, 0, 1000),
            intIn(ConfigKey.MAX_REPLICAS, 1, 1000),
            durationIn(ConfigKey.CHECK_INTERVAL, Duration.ofSeconds(5), Duration.ofDays(1)),
            durationIn(ConfigKey.ACTION_COOLDOWN, Duration.ZERO, Duration.ofDays(7)),
            durationIn(ConfigKey.SETTLE_TIME, Duration.ZERO, Duration.ofHours(1)),
            durationIn(ConfigKey.CONFIRM_DELAY_HIGH, Duration.ZERO, Duration.ofHours(6)),
            durationIn(ConfigKey.CONFIRM_DELAY_MEDIUM, Duration.ZERO, Duration.ofHours(6)),
            durationIn(ConfigKey.CONFIRM_DELAY_LOW, Duration.ZERO, Duration.ofHours(24)),
            durationIn(ConfigKey.IDLE_SESSION_AGE, Duration.ofSeconds(1), Duration.ofDays(7)),
            durationIn(ConfigKey.LOG_MAX_AGE, Duration.ofHours(1), Duration.ofDays(3650)),
            absolutePaths(ConfigKey.LOG_PATHS),
            doubleIn(ConfigKey.MEMORY_RAISE_FACTOR, 1.0, 10.0),
            quantity(ConfigKey.MEMORY_RAISE_MIN_STEP),
            quantity(ConfigKey.MEMORY_CEILING),
            intIn(ConfigKey.MAX_IN_FLIGHT, 1, 1000),
            intIn(ConfigKey.MAX_IN_FLIGHT_PER_NAMESPACE, 1, 1000),
            durationIn(ConfigKey.ADMISSION_TIMEOUT, Duration.ofSeconds(1), Duration.ofDays(1)));
    if (Quantities.parseBytes(healing.memoryRaiseMinStep())
        >= Quantities.parseBytes(healing.memoryCeiling())) {
      throw error(ConfigKey.MEMORY_RAISE_MIN_STEP, "must be smaller than healing.memoryCeiling");
    }
    if (healing.minReplicas() > healing.maxReplicas()) {
      throw error(
          ConfigKey.MIN_REPLICAS,
          "must not exceed healing.maxReplicas ("
              + healing.maxReplicas()
              + "), got "
              + healing.minReplicas());
    }
    return new OpsflowConfig(
        new OpsflowConfig.Temporal(
            hostPort(ConfigKey.TEMPORAL_ADDRESS), nonEmpty(ConfigKey.TEMPORAL_NAMESPACE), tls),
        healing,
        new OpsflowConfig.Kubernetes(
            existingFileOrEmpty(ConfigKey.KUBERNETES_KUBECONFIG),
            str(ConfigKey.KUBERNETES_CONTEXT),
            namespaces(ConfigKey.KUBERNETES_ALLOWED_NAMESPACES)),
        new OpsflowConfig.Kafka(nonEmpty(ConfigKey.KAFKA_BOOTSTRAP_SERVERS)),
        new OpsflowConfig.Postgres(
            jdbcUrl(ConfigKey.POSTGRES_URL),
            nonEmpty(ConfigKey.POSTGRES_USER),
            Secret.of(str(ConfigKey.POSTGRES_PASSWORD))),
        new OpsflowConfig.Prometheus(httpUrl(ConfigKey.PROMETHEUS_URL, false)),
        new OpsflowConfig.Slack(
            Secret.of(str(ConfigKey.SLACK_TOKEN)),
            str(ConfigKey.SLACK_CHANNEL),
            httpUrl(ConfigKey.SLACK_API_URL, false),
            Secret.of(str(ConfigKey.SLACK_SIGNING_SECRET))),
        new OpsflowConfig.PagerDuty(
            Secret.of(str(ConfigKey.PAGERDUTY_ROUTING_KEY)),
            httpUrl(ConfigKey.PAGERDUTY_EVENTS_URL, false)),
        new OpsflowConfig.Webhook(httpUrl(ConfigKey.WEBHOOK_URL, true)),
        new OpsflowConfig.Command(bool(ConfigKey.COMMAND_ENABLED)),
        new OpsflowConfig.Http(
            nonEmpty(ConfigKey.HTTP_HOST),
            intIn(ConfigKey.HTTP_PORT, 0, 65535),
            durationIn(
                ConfigKey.HTTP_TEMPORAL_DEADLINE, Duration.ofMillis(100), Duration.ofSeconds(9)),
            durationIn(ConfigKey.HTTP_NOTICE_WINDOW, Duration.ZERO, Duration.ofMillis(100)),
            bytesIn(ConfigKey.HTTP_MAX_BODY_SIZE, 64 * 1024, 1024L * 1024 * 1024),
            intIn(ConfigKey.HTTP_MAX_ALERTS, 1, 1_000_000),
            durationIn(ConfigKey.HTTP_IDLE_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(10)),
            durationIn(ConfigKey.HTTP_BODY_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(5)),
            intIn(ConfigKey.HTTP_MAX_CONNECTIONS, 10, 100_000)),
        new OpsflowConfig.Metrics(intIn(ConfigKey.METRICS_PORT, 0, 65535)),
        new OpsflowConfig.Alerts(
            Secret.of(str(ConfigKey.ALERTS_BEARER_TOKEN)),
            str(ConfigKey.ALERTS_BASIC_USER),
            Secret.of(str(ConfigKey.ALERTS_BASIC_PASSWORD)),
            routes),
        watch,
        new OpsflowConfig.Escalation(
            durationIn(ConfigKey.ESCALATION_PAGE_AFTER, Duration.ZERO, Duration.ofDays(7)),
            bool(ConfigKey.ESCALATION_ASK_ON_FAILURE),
            durationIn(
                ConfigKey.ESCALATION_DECISION_TIMEOUT, Duration.ofMinutes(1), Duration.ofDays(30))),
        new OpsflowConfig.Api(apiCallers(ConfigKey.API_TOKENS), str(ConfigKey.API_AUDIT_LOG)),
        procedures,
        new OpsflowConfig.Failover(
            failoverClusters,
            bytesIn(ConfigKey.FAILOVER_MAXIMUM_LAG, 0, 1024L * 1024 * 1024 * 1024),
            durationIn(ConfigKey.FAILOVER_CONFIRMATION_WINDOW, Duration.ZERO, Duration.ofHours(1)),
            intIn(ConfigKey.FAILOVER_CONFIRMATION_PROBES, 2, 100),
            durationIn(
                ConfigKey.FAILOVER_REPLAY_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(1)),
            bool(ConfigKey.FAILOVER_UNATTENDED),
            bool(ConfigKey.FAILOVER_END_WRITE_SESSIONS)),
        new OpsflowConfig.FeatureFlags(
            flagServices(ConfigKey.FEATURE_FLAG_SERVICES, ConfigKey.FEATURE_FLAG_TOKENS),
            durationIn(
                ConfigKey.FEATURE_FLAG_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(5))),
        new OpsflowConfig.Rollout(
            durationIn(
                ConfigKey.ROLLOUT_PROGRESS_DEADLINE, Duration.ofMinutes(1), Duration.ofDays(30)),
            durationIn(ConfigKey.ROLLOUT_SCALE_DOWN_DELAY, Duration.ZERO, Duration.ofDays(1)),
            durationIn(ConfigKey.ROLLOUT_RETRY_WINDOW, Duration.ZERO, Duration.ofDays(30)),
            bool(ConfigKey.ROLLOUT_REQUIRE_APPROVAL),
            httpUrl(ConfigKey.ROLLOUT_MODEL_SERVER_URL, true)),
        new OpsflowConfig.Runbooks(
            nonEmpty(ConfigKey.RUNBOOKS_DIR),
            str(ConfigKey.RUNBOOKS_DIR).equals(ConfigKey.RUNBOOKS_DIR.defaultValue()),
            bool(ConfigKey.RUNBOOKS_SKIP_INVALID),
            httpAllowList(ConfigKey.RUNBOOKS_HTTP_ALLOW)));
  }

  private HttpAllowList httpAllowList(ConfigKey key) {
    try {
      return HttpAllowList.of(Arrays.asList(str(key).split(",")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key.path(), e.getMessage() + " (env " + key.env() + ")");
    }
  }

  /**
   * Parses {@code name=url,...} and the tokens {@code name:token,...}; a token must name a listed
   * service. Errors name the entry by position and the service, never the token.
   */
  private Map<String, OpsflowConfig.FlagService> flagServices(ConfigKey urls, ConfigKey tokens) {
    Map<String, String> byName = new java.util.TreeMap<>();
    String[] entries = str(urls).split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String where = "entry " + (i + 1);
      int eq = entry.indexOf('=');
      String name = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (eq < 0 || !MEMBER_NAME.matcher(name).matches()) {
        throw error(
            urls,
            where
                + " must be name=url with a lower-case name of letters, digits and '-', got '"
                + entry
                + "'");
      }
      String url = flagServiceUrl(urls, where + " (" + name + ")", entry.substring(eq + 1).trim());
      if (byName.put(name, url) != null) {
        throw error(urls, where + ": flag service " + name + " is listed twice");
      }
    }
    Map<String, Secret> secrets = new HashMap<>();
    String[] tokenEntries = str(tokens).split(",");
    for (int i = 0; i < tokenEntries.length; i++) {
      String entry = tokenEntries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String where = "entry " + (i + 1);
      String[] parts = entry.split(":", 2);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw error(tokens, where + " must be name:token");
      }
      String name = parts[0].trim();
      if (!byName.containsKey(name)) {
        throw error(
            tokens,
            where
                + ": '"
                + (MEMBER_NAME.matcher(name).matches() ? name : "(not a name)")
                + "' is no flag service in featureFlags.services (there: "
                + byName.keySet()
                + ")");
      }
      if (secrets.put(name, Secret.of(parts[1].trim())) != null) {
        throw error(tokens, where + ": flag service " + name + " has two tokens");
      }
    }
    Map<String, OpsflowConfig.FlagService> services = new java.util.TreeMap<>();
    byName.forEach(
        (name, url) ->
            services.put(
                name,
                new OpsflowConfig.FlagService(url, secrets.getOrDefault(name, Secret.empty()))));
    return services;
  }

  /** An http(s) base URL with a host, no credentials, query or fragment; no trailing '/'. */
  private static String flagServiceUrl(ConfigKey key, String where, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw error(key, where + ": expected an http:// or https:// URL, got '" + text + "'");
    }
    if (uri.getRawUserInfo() != null) {
      // The URL is no secret (it is in the ConfigMap and in messages): credentials go in tokens.
      throw error(
          key,
          where + ": the URL must not carry credentials; put the token in featureFlags.tokens");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw error(key, where + ": the base URL must have no query or fragment, got '" + text + "'");
    }
    return text.replaceAll("/+$", "");
  }

  /** Parses {@code name:role:token,...}; errors name the entry by position, never the token. */
  private List<OpsflowConfig.ApiCaller> apiCallers(ConfigKey key) {
    List<OpsflowConfig.ApiCaller> callers = new java.util.ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    String[] entries = str(key).split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", 3);
      String where = "entry " + (i + 1);
      if (parts.length != 3 || parts[0].isBlank() || parts[2].isBlank()) {
        throw error(key, where + " must be name:role:token");
      }
      if (!USER_NAME.matcher(parts[0]).matches()) {
        throw error(key, where + ": '" + parts[0] + "' is not a caller name");
      }
      if (!OpsflowConfig.ApiCaller.ROLES.contains(parts[1])) {
        throw error(
            key,
            where + " (" + parts[0] + "): role must be one of " + OpsflowConfig.ApiCaller.ROLES);
      }
      if (parts[2].length() < 8) {
        throw error(key, where + " (" + parts[0] + "): token must be at least 8 characters");
      }
      if (!names.add(parts[0])) {
        throw error(key, where + ": caller " + parts[0] + " is listed twice");
      }
      callers.add(new OpsflowConfig.ApiCaller(parts[0], parts[1], Secret.of(parts[2])));
    }
    return List.copyOf(callers);
  }

  private static ConfigException error(ConfigKey key, String message) {
    return new ConfigException(key.path(), message + " (env " + key.env() + ")");
  }

  private String str(ConfigKey key) {
    return values.getOrDefault(key.path(), "").trim();
  }

  private String nonEmpty(ConfigKey key) {
    String v = str(key);
    if (v.isEmpty()) {
      throw error(key, "must not be empty");
    }
    return v;
  }

  private <T> T parsed(ConfigKey key, String expected, Function<String, T> parser) {
    String v = str(key);
    try {
      return parser.apply(v);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      throw error(key, "expected " + expected + ", got '" + v + "'");
    }
  }

  private long longIn(ConfigKey key, long min, long max) {
    long n = parsed(key, "a whole number", Long::parseLong);
    if (n < min || n > max) {
      String range = max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
      throw error(key, "must be " + range + ", got " + n);
    }
    return n;
  }

  private int intIn(ConfigKey key, int min, int max) {
    return (int) longIn(key, min, max);
  }

  private double doubleIn(ConfigKey key, double min, double max) {
    double d = parsed(key, "a number", Double::parseDouble);
    if (!(d >= min && d <= max)) {
      throw error(key, "must be between " + min + " and " + max + ", got " + str(key));
    }
    return d;
  }

  private long bytesIn(ConfigKey key, long min, long max) {
    long bytes;
    try {
      bytes = Quantities.parseBytes(str(key));
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
    if (bytes < min || bytes > max) {
      throw error(key, "must be between " + min + " and " + max + " bytes, got " + str(key).trim());
    }
    return bytes;
  }

  private String quantity(ConfigKey key) {
    String v = str(key);
    try {
      Quantities.parseBytes(v);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
    return v;
  }

  private List<String> absolutePaths(ConfigKey key) {
    List<String> list =
        Arrays.stream(str(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String p : list) {
      if (!p.startsWith("/") || p.equals("/") || p.contains("..") || p.contains("*")) {
        throw error(
            key, "'" + p + "' must be an absolute directory other than /, without .. or wildcards");
      }
    }
    if (list.isEmpty()) {
      throw error(key, "must name at least one directory");
    }
    return list;
  }

  private boolean bool(ConfigKey key) {
    String v = str(key).toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0", "" -> false;
      default -> throw error(key, "expected true or false, got '" + str(key) + "'");
    };
  }

  private Duration durationIn(ConfigKey key, Duration min, Duration max) {
    Duration d;
    try {
      d = Durations.parse(str(key));
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw error(
          key,
          "must be between "
              + Durations.format(min)
              + " and "
              + Durations.format(max)
              + ", got "
              + Durations.format(d));
    }
    return d;
  }

  private String hostPort(ConfigKey key) {
    String v = nonEmpty(key);
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw error(key, "expected host:port, got '" + v + "'");
    }
    int port = parsed(key, "host:port", s -> Integer.parseInt(s.substring(colon + 1)));
    if (port < 1 || port > 65535) {
      throw error(key, "port must be between 1 and 65535, got " + port);
    }
    return v;
  }

  private String httpUrl(ConfigKey key, boolean mayBeEmpty) {
    String v = str(key);
    if (v.isEmpty() && mayBeEmpty) {
      return v;
    }
    try {
      URI uri = new URI(v);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new URISyntaxException(v, "not http(s)");
      }
    } catch (URISyntaxException e) {
      throw error(key, "expected an http:// or https:// URL, got '" + v + "'");
    }
    return v;
  }

  private String jdbcUrl(ConfigKey key) {
    String v = nonEmpty(key);
    if (!v.startsWith("jdbc:postgresql:")) {
      throw error(key, "expected a jdbc:postgresql:// URL, got '" + v + "'");
    }
    return v;
  }

  private String existingFileOrEmpty(ConfigKey key) {
    String v = str(key);
    if (!v.isEmpty() && !Files.isReadable(Path.of(v))) {
      throw error(key, "file " + v + " does not exist or is not readable");
    }
    return v;
  }

  private List<String> namespaces(ConfigKey key) {
    List<String> list =
        Arrays.stream(str(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String ns : list) {
      if (!NAMESPACE.matcher(ns).matches() || ns.length() > 63) {
        throw error(key, "'" + ns + "' is not a valid Kubernetes namespace name");
      }
    }
    return list;
  }
}
