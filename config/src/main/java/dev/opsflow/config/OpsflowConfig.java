package dev.opsflow.config;

import java.time.Duration;
import java.util.List;

/**
 * Everything opsflow reads from {@code opsflow.yaml} and the environment, validated. Build it with
 * {@link ConfigLoader}; each value here has passed its range check.
 */
public record OpsflowConfig(
    Temporal temporal,
    Healing healing,
    Kubernetes kubernetes,
    Kafka kafka,
    Postgres postgres,
    Prometheus prometheus,
    Slack slack,
    PagerDuty pagerduty,
    Webhook webhook,
    Command command,
    Http http,
    Metrics metrics,
    Alerts alerts,
    Watch watch,
    Escalation escalation,
    Api api,
    java.util.Map<String, ProcedureSettings> procedures,
    Failover failover,
    FeatureFlags featureFlags,
    Rollout rollout,
    Runbooks runbooks) {

  /** Where the Temporal frontend is and how to authenticate to it. */
  public record Temporal(String address, String namespace, Tls tls) {}

  /** mTLS material (Temporal Cloud style). Empty paths mean "not used". */
  public record Tls(
      boolean enabled, String clientCert, String clientKey, String serverCa, String serverName) {
    public boolean active() {
      return enabled || !clientCert.isEmpty();
    }
  }

  /** Thresholds and limits of the self-healing automaton. */
  public record Healing(
      long kafkaLagThreshold,
      int postgresConnThreshold,
      int diskSpaceThreshold,
      int minReplicas,
      int maxReplicas,
      Duration checkInterval,
      Duration actionCooldown,
      Duration settleTime,
      Duration confirmDelayHigh,
      Duration confirmDelayMedium,
      Duration confirmDelayLow,
      Duration idleSessionAge,
      Duration logMaxAge,
      List<String> logPaths,
      double memoryRaiseFactor,
      String memoryRaiseMinStep,
      String memoryCeiling,
      int maxInFlight,
      int maxInFlightPerNamespace,
      Duration admissionTimeout) {}

  /**
   * The PostgreSQL clusters a failover may act on ({@code failover.clusters}) and the settings of
   * every failover.
   */
  public record Failover(
      java.util.Map<String, FailoverCluster> clusters,
      long maximumLagOnFailoverBytes,
      Duration confirmationWindow,
      int confirmationProbes,
      Duration replayTimeout,
      boolean unattended,
      boolean endWriteSessions) {
    public Failover {
      clusters = java.util.Map.copyOf(clusters);
    }
  }

  /**
   * The server's bounds on every progressive delivery run ({@code rollout.*}): a request may
   * tighten each (a shorter deadline, delay or window; an approval added), never loosen it.
   *
   * @param progressDeadline the most progressing and analysing time a canary may take to 100%
   * @param scaleDownDelay how long a rolled-back canary keeps its pods
   * @param retryWindow how long a rolled-back canary waits for a retry
   * @param requireApproval whether every canary needs an approval before its last step
   * @param modelServerUrl the model server ML model deployments validate candidates with; empty =
   *     not configured
   */
  public record Rollout(
      Duration progressDeadline,
      Duration scaleDownDelay,
      Duration retryWindow,
      boolean requireApproval,
      String modelServerUrl) {}

  /**
   * Runbooks as data ({@code runbooks.*}): where the worker and the starter read them at start.
   *
   * @param dir the folder, as configured (relative paths are relative to the working directory)
   * @param dirIsDefault true when {@code dir} is the default: a missing default folder means no
   *     runbooks, a missing configured one is refused
   * @param skipInvalid start without an invalid runbook (logged) instead of refusing to start
   * @param httpAllow where a runbook's HTTP steps may go ({@code runbooks.httpAllow}; {@link
   *     HttpAllowList#ANY} when unset)
   */
  public record Runbooks(
      String dir, boolean dirIsDefault, boolean skipInvalid, HttpAllowList httpAllow) {
    public Runbooks {
      httpAllow = httpAllow == null ? HttpAllowList.ANY : httpAllow;
    }

    /** Every URL allowed. */
    public Runbooks(String dir, boolean dirIsDefault, boolean skipInvalid) {
      this(dir, dirIsDefault, skipInvalid, HttpAllowList.ANY);
    }
  }

  /**
   * One cluster: its members and where its traffic goes.
   *
   * @param namespace the namespace of the Service and the pods
   * @param service the Service clients connect through (it selects {@code roleLabelKey=primary})
   * @param roleLabelKey the pods' role label ({@code primary} or {@code replica})
   * @param members the servers, by member name
   */
  public record FailoverCluster(
      String namespace,
      String service,
      String roleLabelKey,
      java.util.Map<String, FailoverMember> members) {
    public FailoverCluster {
      members = java.util.Map.copyOf(members);
    }
  }

  /**
   * One server of a cluster.
   *
   * @param url its JDBC URL
   * @param user a superuser ({@code ALTER SYSTEM}, {@code pg_promote})
   * @param password read from {@code passwordFile}; never from the config file itself
   * @param pod the pod that runs it
   */
  public record FailoverMember(String url, String user, Secret password, String pod) {}

  /**
   * The flag services a rollout's {@code featureFlag} router may set percentages on ({@code
   * featureFlags.*}), by the name a rollout gives.
   *
   * @param timeout longest one call may take (connect, then answer)
   */
  public record FeatureFlags(java.util.Map<String, FlagService> services, Duration timeout) {
    public FeatureFlags {
      services = java.util.Map.copyOf(services);
    }
  }

  /**
   * One flag service.
   *
   * @param url its base URL, without a trailing '/' ({@code GET <url>/flags/<flag>})
   * @param token its bearer token (empty: no Authorization header); never in the file
   */
  public record FlagService(String url, Secret token) {}

  public record Kubernetes(String kubeconfig, String context, List<String> allowedNamespaces) {}

  public record Kafka(String bootstrapServers) {}

  public record Postgres(String url, String user, Secret password) {}

  public record Prometheus(String url) {}

  public record Slack(Secret token, String channel, String apiUrl, Secret signingSecret) {
    public boolean configured() {
      return token.isPresent() && !channel.isEmpty();
    }
  }

  public record PagerDuty(Secret routingKey, String eventsUrl) {
    public boolean configured() {
      return routingKey.isPresent();
    }
  }

  public record Webhook(String url) {
    public boolean configured() {
      return !url.isEmpty();
    }
  }

  public record Command(boolean enabled) {}

  /**
   * The starter's HTTP server and the limits that keep hostile or heavy traffic from stopping it.
   *
   * @param temporalDeadline longest one webhook request waits for Temporal before answering 503
   * @param noticeWindow how long a problem's first firing notice waits for others to share one
   *     signal with (group commit)
   * @param maxBodyBytes largest request body read (413 beyond)
   * @param maxAlerts most alerts in one Alertmanager notification (413 beyond)
   * @param idleTimeout a silent connection is closed after this
   * @param bodyTimeout longest a whole request body may take to arrive (408 beyond)
   * @param maxConnections open connections accepted at most
   */
  public record Http(
      String host,
      int port,
      Duration temporalDeadline,
      Duration noticeWindow,
      long maxBodyBytes,
      int maxAlerts,
      Duration idleTimeout,
      Duration bodyTimeout,
      int maxConnections) {}

  public record Metrics(int port) {}

  /**
   * Periodic health checks (no alerting stack needed): the targets each watchdog checks every
   * {@code healing.checkInterval}. Target fields: namespace, deployment, container, consumerGroup,
   * topic, database, podSelector.
   */
  public record Watch(
      List<java.util.Map<String, String>> kafka,
      List<java.util.Map<String, String>> postgres,
      List<java.util.Map<String, String>> pods,
      List<java.util.Map<String, String>> disk) {
    public static final List<String> CHECKS = List.of("kafka", "postgres", "pods", "disk");
    public static final Watch NONE = new Watch(List.of(), List.of(), List.of(), List.of());

    public List<java.util.Map<String, String>> targets(String check) {
      return switch (check) {
        case "kafka" -> kafka;
        case "postgres" -> postgres;
        case "pods" -> pods;
        case "disk" -> disk;
        default -> throw new IllegalArgumentException("unknown check " + check);
      };
    }
  }

  /** The Alertmanager webhook: who may post, and which alert goes to which remediation. */
  public record Alerts(
      Secret bearerToken, String basicUser, Secret basicPassword, List<AlertRoute> routes) {
    public boolean authConfigured() {
      return bearerToken.isPresent() || !basicUser.isEmpty();
    }

    public Alerts withBearerToken(Secret token) {
      return new Alerts(token, basicUser, basicPassword, routes);
    }
  }

  /** Defaults of the escalation ladder and of asking a human when an action fails. */
  public record Escalation(Duration pageAfter, boolean askOnFailure, Duration decisionTimeout) {}

  /** The REST API: who may call it, with which role, and where each call is audited. */
  public record Api(List<ApiCaller> callers, String auditLog) {
    public boolean configured() {
      return !callers.isEmpty();
    }

    /** The caller presenting this token, if any. */
    public java.util.Optional<ApiCaller> caller(String token) {
      if (token == null || token.isEmpty()) {
        return java.util.Optional.empty();
      }
      byte[] given = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ApiCaller found = null;
      for (ApiCaller c : callers) {
        // Compare every entry in constant time so the timing does not tell which token is close.
        if (java.security.MessageDigest.isEqual(
            given, c.token().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
          found = c;
        }
      }
      return java.util.Optional.ofNullable(found);
    }

    public Api withCallers(List<ApiCaller> other) {
      return new Api(List.copyOf(other), auditLog);
    }
  }

  /**
   * One REST API caller.
   *
   * @param name who the caller is (recorded as {@code by} in decisions and in the audit log)
   * @param role viewer (read), operator (execute, approve, cancel) or admin (everything)
   */
  public record ApiCaller(String name, String role, Secret token) {
    public static final List<String> ROLES = List.of("viewer", "operator", "admin");

    /** True if this caller's role includes {@code needed} (admin > operator > viewer). */
    public boolean mayAct(String needed) {
      return ROLES.indexOf(role) >= ROLES.indexOf(needed);
    }
  }

  /**
   * Checks that every procedure named under {@code procedures:} is a workflow type this build has.
   * The config module cannot know the workflow catalog, so each process that starts from a
   * configuration (worker, starter, dev stack) calls this with the catalog's type names before it
   * starts anything: a misspelled name would otherwise leave its approval or escalation settings
   * silently unused.
   *
   * @param typeNames the workflow type names the worker registers
   * @throws ConfigException naming {@code procedures.<Name>}, the known types and the closest one
   */
  public OpsflowConfig requireKnownProcedures(java.util.Collection<String> typeNames) {
    for (String name : procedures.keySet()) {
      if (!typeNames.contains(name)) {
        throw new ConfigException(
            "procedures." + name,
            "unknown workflow type"
                + Spelling.hint(name, typeNames)
                + "; known: "
                + String.join(", ", new java.util.TreeSet<>(typeNames)));
      }
    }
    return this;
  }

  /** The same configuration with other REST API callers (the dev stack's generated ones). */
  public OpsflowConfig withApi(Api other) {
    return new OpsflowConfig(
        temporal,
        healing,
        kubernetes,
        kafka,
        postgres,
        prometheus,
        slack,
        pagerduty,
        webhook,
        command,
        http,
        metrics,
        alerts,
        watch,
        escalation,
        other,
        procedures,
        failover,
        featureFlags,
        rollout,
        runbooks);
  }

  /** The same configuration pointed at another Temporal frontend (the dev stack's own). */
  public OpsflowConfig withTemporal(Temporal other) {
    return new OpsflowConfig(
        other,
        healing,
        kubernetes,
        kafka,
        postgres,
        prometheus,
        slack,
        pagerduty,
        webhook,
        command,
        http,
        metrics,
        alerts,
        watch,
        escalation,
        api,
        procedures,
        failover,
        featureFlags,
        rollout,
        runbooks);
  }

  /** The same configuration with another webhook setting (the dev stack's generated token). */
  public OpsflowConfig withAlerts(Alerts other) {
    return new OpsflowConfig(
        temporal,
        healing,
        kubernetes,
        kafka,
        postgres,
        prometheus,
        slack,
        pagerduty,
        webhook,
        command,
        http,
        metrics,
        other,
        watch,
        escalation,
        api,
        procedures,
        failover,
        featureFlags,
        rollout,
        runbooks);
  }

  /**
   * The same configuration with other failover clusters and procedure settings (the dev sandbox's
   * cluster {@code demo} and who approves its failover).
   */
  public OpsflowConfig withFailover(
      Failover other, java.util.Map<String, ProcedureSettings> otherProcedures) {
    return new OpsflowConfig(
        temporal,
        healing,
        kubernetes,
        kafka,
        postgres,
        prometheus,
        slack,
        pagerduty,
        webhook,
        command,
        http,
        metrics,
        alerts,
        watch,
        escalation,
        api,
        java.util.Map.copyOf(otherProcedures),
        other,
        featureFlags,
        rollout,
        runbooks);
  }

  /** The built-in defaults, as if no file and no environment variable were given. */
  public static OpsflowConfig defaults() {
    return ConfigLoader.load(null, java.util.Map.of());
  }
}
