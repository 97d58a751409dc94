package dev.opsflow.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every scalar setting opsflow reads, with the environment variable that overrides it and its
 * default. The README's configuration table and {@code opsflow.example.yaml} are checked against
 * this list by tests, so the docs cannot drift from the code.
 */
public enum ConfigKey {
  TEMPORAL_ADDRESS(
      "temporal.address", "TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port"),
  TEMPORAL_NAMESPACE("temporal.namespace", "TEMPORAL_NAMESPACE", "default", "Temporal namespace"),
  TEMPORAL_TLS_CERT(
      "temporal.tls.clientCert", "TEMPORAL_TLS_CERT", "", "mTLS client certificate (PEM file)"),
  TEMPORAL_TLS_KEY(
      "temporal.tls.clientKey", "TEMPORAL_TLS_KEY", "", "mTLS client private key (PKCS8 PEM file)"),
  TEMPORAL_TLS_CA(
      "temporal.tls.serverCa",
      "TEMPORAL_TLS_CA",
      "",
      "CA bundle that signed the server certificate (PEM file); empty = JVM trust store"),
  TEMPORAL_TLS_SERVER_NAME(
      "temporal.tls.serverName", "TEMPORAL_TLS_SERVER_NAME", "", "TLS server name override (SNI)"),
  TEMPORAL_TLS(
      "temporal.tls.enabled",
      "TEMPORAL_TLS",
      "false",
      "use TLS without a client certificate (API-key style clusters)"),

  KAFKA_LAG_THRESHOLD(
      "healing.kafkaLagThreshold",
      "KAFKA_LAG_THRESHOLD",
      "15000",
      "consumer-group lag (messages) that triggers scaling"),
  POSTGRES_CONN_THRESHOLD(
      "healing.postgresConnThreshold",
      "POSTGRES_CONN_THRESHOLD",
      "85",
      "percent of max_connections in use that triggers idle-session cleanup"),
  DISK_SPACE_THRESHOLD(
      "healing.diskSpaceThreshold",
      "DISK_SPACE_THRESHOLD",
      "85",
      "percent of disk used that triggers log cleanup"),
  MIN_REPLICAS("healing.minReplicas", "MIN_REPLICAS", "1", "never scale a Deployment below this"),
  MAX_REPLICAS("healing.maxReplicas", "MAX_REPLICAS", "10", "never scale a Deployment above this"),
  CHECK_INTERVAL(
      "healing.checkInterval",
      "CHECK_INTERVAL",
      "60s",
      "period of the health-check watchdogs (a bare number is seconds)"),
  ACTION_COOLDOWN(
      "healing.actionCooldown",
      "ACTION_COOLDOWN",
      "5m",
      "the same action on the same problem runs at most once per cooldown"),
  SETTLE_TIME(
      "healing.settleTime",
      "SETTLE_TIME",
      "60s",
      "wait after an action before verifying it worked"),
  CONFIRM_DELAY_HIGH(
      "healing.confirmDelayHigh",
      "CONFIRM_DELAY_HIGH",
      "60s",
      "high-severity problems (lag, connections) must still hold after this before acting"),
  CONFIRM_DELAY_MEDIUM(
      "healing.confirmDelayMedium",
      "CONFIRM_DELAY_MEDIUM",
      "5m",
      "medium-severity problems (disk) must still hold after this before acting"),
  CONFIRM_DELAY_LOW(
      "healing.confirmDelayLow",
      "CONFIRM_DELAY_LOW",
      "15m",
      "low-severity problems must still hold after this before acting"),
  IDLE_SESSION_AGE(
      "healing.idleSessionAge",
      "IDLE_SESSION_AGE",
      "10m",
      "PostgreSQL sessions idle longer than this may be terminated"),
  LOG_MAX_AGE(
      "healing.logMaxAge", "LOG_MAX_AGE", "7d", "disk cleanup deletes log files older than this"),
  LOG_PATHS(
      "healing.logPaths",
      "LOG_PATHS",
      "/var/log/app",
      "the only directories disk cleanup may delete from (comma-separated absolute paths)"),
  MEMORY_RAISE_FACTOR(
      "healing.memoryRaiseFactor",
      "MEMORY_RAISE_FACTOR",
      "1.2",
      "OOM fix: new limit = max(current + memoryRaiseMinStep, current x this), as the VPA does"),
  MEMORY_RAISE_MIN_STEP(
      "healing.memoryRaiseMinStep",
      "MEMORY_RAISE_MIN_STEP",
      "100Mi",
      "OOM fix: the smallest raise of a memory limit"),
  MEMORY_CEILING(
      "healing.memoryCeiling",
      "MEMORY_CEILING",
      "8Gi",
      "OOM fix: never raise a memory limit above this; escalate instead"),
  MAX_IN_FLIGHT(
      "healing.maxInFlight",
      "MAX_IN_FLIGHT",
      "5",
      "blast radius: at most this many remediations act at once overall"),
  MAX_IN_FLIGHT_PER_NAMESPACE(
      "healing.maxInFlightPerNamespace",
      "MAX_IN_FLIGHT_PER_NAMESPACE",
      "2",
      "blast radius: at most this many remediations act at once in one namespace"),
  ADMISSION_TIMEOUT(
      "healing.admissionTimeout",
      "ADMISSION_TIMEOUT",
      "10m",
      "a remediation that waits longer than this for the blast-radius governor escalates"),

  ALERTS_BEARER_TOKEN(
      "alerts.bearerToken",
      "ALERTS_BEARER_TOKEN",
      "",
      "token Alertmanager sends (http_config.authorization) to POST /alerts (secret: env or"
          + " alerts.bearerTokenFile)",
      true),
  ALERTS_BASIC_USER(
      "alerts.basicUser",
      "ALERTS_BASIC_USER",
      "",
      "user for basic auth on POST /alerts (http_config.basic_auth)"),
  ALERTS_BASIC_PASSWORD(
      "alerts.basicPassword",
      "ALERTS_BASIC_PASSWORD",
      "",
      "password for basic auth on POST /alerts (secret: env or alerts.basicPasswordFile)",
      true),

  ESCALATION_PAGE_AFTER(
      "escalation.pageAfter",
      "ESCALATION_PAGE_AFTER",
      "15m",
      "default escalation ladder: Slack at once, PagerDuty after this unless fixed or acknowledged"),
  ESCALATION_ASK_ON_FAILURE(
      "escalation.askOnFailure",
      "ESCALATION_ASK_ON_FAILURE",
      "false",
      "when an action fails after its retries, ask a human to retry, skip or fail it (per procedure:"
          + " procedures.<Type>.askOnFailure)"),
  ESCALATION_DECISION_TIMEOUT(
      "escalation.decisionTimeout",
      "ESCALATION_DECISION_TIMEOUT",
      "4h",
      "how long a failed step waits for a human's retry/skip/fail before it fails"),

  API_TOKENS(
      "api.tokens",
      "OPSFLOW_API_TOKENS",
      "",
      "REST API callers as name:role:token, comma-separated; roles viewer, operator, admin (secret:"
          + " env or api.tokensFile)",
      true),
  API_AUDIT_LOG(
      "api.auditLog",
      "OPSFLOW_API_AUDIT_LOG",
      "",
      "file that gets one JSON line per REST API call (caller, action, outcome); empty = the log only"),

  KUBERNETES_KUBECONFIG(
      "kubernetes.kubeconfig",
      "KUBECONFIG",
      "",
      "kubeconfig file; empty = ~/.kube/config, else in-cluster service account"),
  KUBERNETES_CONTEXT(
      "kubernetes.context",
      "KUBERNETES_CONTEXT",
      "",
      "kubeconfig context; empty = current context"),
  KUBERNETES_ALLOWED_NAMESPACES(
      "kubernetes.allowedNamespaces",
      "KUBERNETES_ALLOWED_NAMESPACES",
      "default",
      "namespaces opsflow may change (comma-separated); every mutating call outside them is refused"),

  KAFKA_BOOTSTRAP_SERVERS(
      "kafka.bootstrapServers",
      "KAFKA_BOOTSTRAP_SERVERS",
      "127.0.0.1:9092",
      "Kafka bootstrap servers"),

  POSTGRES_URL(
      "postgres.url",
      "POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/postgres",
      "JDBC URL of the database opsflow watches"),
  POSTGRES_USER(
      "postgres.user",
      "POSTGRES_USER",
      "postgres",
      "database user (needs pg_signal_backend to end sessions)"),
  POSTGRES_PASSWORD(
      "postgres.password",
      "POSTGRES_PASSWORD",
      "",
      "database password (secret: env or postgres.passwordFile)",
      true),

  FAILOVER_MAXIMUM_LAG(
      "failover.maximumLagOnFailover",
      "FAILOVER_MAXIMUM_LAG_ON_FAILOVER",
      "1Mi",
      "an unattended failover (failover.unattended) only when the last known replication lag is"
          + " at most this (bytes; Ki/Mi/Gi suffixes); above it a human decides"),
  FAILOVER_CONFIRMATION_WINDOW(
      "failover.confirmationWindow",
      "FAILOVER_CONFIRMATION_WINDOW",
      "30s",
      "a failover first confirms the primary is down by failed probes spread over this window"),
  FAILOVER_CONFIRMATION_PROBES(
      "failover.confirmationProbes",
      "FAILOVER_CONFIRMATION_PROBES",
      "3",
      "failed probes (at least 2) over failover.confirmationWindow that confirm the primary is down"),
  FAILOVER_REPLAY_TIMEOUT(
      "failover.replayTimeout",
      "FAILOVER_REPLAY_TIMEOUT",
      "60s",
      "how long a switchover waits for the replica to replay the fenced primary's final position"
          + " before asking a human whether to promote anyway"),
  FAILOVER_UNATTENDED(
      "failover.unattended",
      "FAILOVER_UNATTENDED",
      "false",
      "allow a failover without approval when the primary is confirmed down and the last known lag"
          + " is within failover.maximumLagOnFailover; switchovers always need approval"),
  FAILOVER_END_WRITE_SESSIONS(
      "failover.endWriteSessions",
      "FAILOVER_END_WRITE_SESSIONS",
      "true",
      "after fencing, end the primary's sessions that still hold a transaction"),

  FEATURE_FLAG_SERVICES(
      "featureFlags.services",
      "FEATURE_FLAG_SERVICES",
      "",
      "flag services a rollout's featureFlag router may set percentages on, as name=base URL,"
          + " comma-separated (README: Traffic routers); empty = none"),
  FEATURE_FLAG_TOKENS(
      "featureFlags.tokens",
      "FEATURE_FLAG_TOKENS",
      "",
      "bearer tokens of the flag services as name:token, comma-separated; a service without one"
          + " is called without (secret: env or featureFlags.tokensFile)",
      true),
  FEATURE_FLAG_TIMEOUT(
      "featureFlags.timeout",
      "FEATURE_FLAG_TIMEOUT",
      "10s",
      "longest one call to a flag service may take (connect, then answer); past it the call is"
          + " retried"),
  ROLLOUT_PROGRESS_DEADLINE(
      "rollout.progressDeadline",
      "ROLLOUT_PROGRESS_DEADLINE",
      "1h",
      "a canary must reach 100% within this much progressing and analysing time (waits for a human"
          + " do not count), else it rolls back; a caller may ask for less"),
  ROLLOUT_SCALE_DOWN_DELAY(
      "rollout.scaleDownDelay",
      "ROLLOUT_SCALE_DOWN_DELAY",
      "30s",
      "after a rollback the canary keeps its pods this long (for a look) before it is scaled to"
          + " zero; a caller may ask for less"),
  ROLLOUT_RETRY_WINDOW(
      "rollout.retryWindow",
      "ROLLOUT_RETRY_WINDOW",
      "1h",
      "after a rollback a canary waits this long for a retry before it ends ROLLED_BACK; a caller"
          + " may ask for less"),
  ROLLOUT_REQUIRE_APPROVAL(
      "rollout.requireApproval",
      "ROLLOUT_REQUIRE_APPROVAL",
      "false",
      "every canary asks for approval (procedures.CanaryRollout.approval) before its last step"
          + " (100%); a caller may ask for it, never drop it"),
  ROLLOUT_MODEL_SERVER_URL(
      "rollout.modelServerUrl",
      "ROLLOUT_MODEL_SERVER_URL",
      "",
      "model server whose GET /models/<version>/evaluate an MlModelDeployment validates the"
          + " candidate with; empty = ML model deployments cannot validate (they stop, nothing"
          + " deployed)"),

  PROMETHEUS_URL(
      "prometheus.url",
      "PROMETHEUS_URL",
      "http://127.0.0.1:9090",
      "Prometheus base URL for PromQL queries"),

  SLACK_TOKEN(
      "slack.token", "SLACK_TOKEN", "", "Slack bot token (secret: env or slack.tokenFile)", true),
  SLACK_CHANNEL(
      "slack.channel",
      "SLACK_CHANNEL",
      "",
      "channel for notifications and approvals; empty = Slack not configured"),
  SLACK_API_URL(
      "slack.apiUrl", "SLACK_API_URL", "https://slack.com/api/", "Slack Web API base URL"),
  SLACK_SIGNING_SECRET(
      "slack.signingSecret",
      "SLACK_SIGNING_SECRET",
      "",
      "verifies Slack interaction callbacks (secret: env or slack.signingSecretFile)",
      true),

  PAGERDUTY_ROUTING_KEY(
      "pagerduty.routingKey",
      "PAGERDUTY_ROUTING_KEY",
      "",
      "PagerDuty Events API v2 integration key (secret: env or pagerduty.routingKeyFile); empty = not configured",
      true),
  PAGERDUTY_EVENTS_URL(
      "pagerduty.eventsUrl",
      "PAGERDUTY_EVENTS_URL",
      "https://events.pagerduty.com/v2/enqueue",
      "PagerDuty Events API v2 endpoint"),

  WEBHOOK_URL(
      "webhook.url",
      "WEBHOOK_URL",
      "",
      "generic outgoing webhook for notifications; empty = not configured"),

  COMMAND_ENABLED(
      "command.enabled",
      "COMMAND_ENABLED",
      "false",
      "allow runbooks to run shell commands on worker hosts"),

  RUNBOOKS_DIR(
      "runbooks.dir",
      "RUNBOOKS_DIR",
      "runbooks",
      "folder of runbooks as data (*.yaml, *.yml; relative to the working directory), loaded and"
          + " validated when the worker and the starter start; missing: no runbooks (refused when"
          + " set to another folder than the default)"),
  RUNBOOKS_SKIP_INVALID(
      "runbooks.skipInvalid",
      "RUNBOOKS_SKIP_INVALID",
      "false",
      "start even when a runbook in runbooks.dir is invalid, without it (each skipped file is"
          + " logged with its problems); false = refuse to start"),
  RUNBOOKS_HTTP_ALLOW(
      "runbooks.httpAllow",
      "RUNBOOKS_HTTP_ALLOW",
      "",
      "URL prefixes a runbook's http.call and http.probe may ask (scheme://host[:port][/path], host"
          + " may start with *.), comma-separated; another URL fails its step before any request;"
          + " empty = every URL"),

  HTTP_HOST(
      "http.host",
      "OPSFLOW_HTTP_HOST",
      "127.0.0.1",
      "address the starter's HTTP server (webhook, REST API) binds"),
  HTTP_PORT("http.port", "OPSFLOW_HTTP_PORT", "8080", "port of the starter's HTTP server"),
  HTTP_TEMPORAL_DEADLINE(
      "http.temporalDeadline",
      "OPSFLOW_HTTP_TEMPORAL_DEADLINE",
      "3s",
      "longest a webhook or REST API request (and /readyz) waits for Temporal before answering"
          + " 503; keep it well under Alertmanager's 10 s timeout"),
  HTTP_NOTICE_WINDOW(
      "http.noticeWindow",
      "OPSFLOW_HTTP_NOTICE_WINDOW",
      "2ms",
      "how long a problem's first firing notice waits for other requests' notices to share its"
          + " signal (group commit; notices arriving while the problem's signal is on its way"
          + " share the next one anyway); 0ms = no wait"),
  HTTP_MAX_BODY_SIZE(
      "http.maxBodySize",
      "OPSFLOW_HTTP_MAX_BODY_SIZE",
      "32Mi",
      "largest request body the starter reads (413 beyond); room for http.maxAlerts alerts"),
  HTTP_MAX_ALERTS(
      "http.maxAlerts",
      "OPSFLOW_HTTP_MAX_ALERTS",
      "10000",
      "most alerts one Alertmanager notification may carry (413 beyond); set Alertmanager's"
          + " max_alerts to at most this"),
  HTTP_IDLE_TIMEOUT(
      "http.idleTimeout",
      "OPSFLOW_HTTP_IDLE_TIMEOUT",
      "30s",
      "a connection that sends nothing for this long is closed (also bounds each read)"),
  HTTP_BODY_TIMEOUT(
      "http.bodyTimeout",
      "OPSFLOW_HTTP_BODY_TIMEOUT",
      "10s",
      "longest the starter waits for a whole request body (408 beyond), so slow clients cannot"
          + " hold its threads"),
  HTTP_MAX_CONNECTIONS(
      "http.maxConnections",
      "OPSFLOW_HTTP_MAX_CONNECTIONS",
      "1000",
      "open connections the starter accepts at most; more wait in the listen backlog"),
  METRICS_PORT(
      "metrics.port",
      "OPSFLOW_METRICS_PORT",
      "9464",
      "port of a standalone worker's /metrics endpoint");

  private final String path;
  private final String env;
  private final String defaultValue;
  private final String description;
  private final boolean secret;

  ConfigKey(String path, String env, String defaultValue, String description) {
    this(path, env, defaultValue, description, false);
  }

  ConfigKey(String path, String env, String defaultValue, String description, boolean secret) {
    this.path = path;
    this.env = env;
    this.defaultValue = defaultValue;
    this.description = description;
    this.secret = secret;
  }

  /** Dotted YAML path, e.g. {@code healing.maxReplicas}. */
  public String path() {
    return path;
  }

  /** Environment variable that overrides the file. */
  public String env() {
    return env;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** Secrets come only from the environment or from a file named by {@code <path>File}. */
  public boolean secret() {
    return secret;
  }

  public static Optional<ConfigKey> byPath(String path) {
    return Arrays.stream(values()).filter(k -> k.path.equals(path)).findFirst();
  }
}
