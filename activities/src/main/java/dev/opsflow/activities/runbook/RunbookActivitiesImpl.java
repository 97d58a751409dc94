package dev.opsflow.activities.runbook;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.command.CommandActivities;
import dev.opsflow.activities.command.CommandRequest;
import dev.opsflow.activities.command.CommandResult;
import dev.opsflow.activities.kafka.ConsumerLag;
import dev.opsflow.activities.kafka.ConsumerLagRequest;
import dev.opsflow.activities.kafka.KafkaActivities;
import dev.opsflow.activities.kubernetes.ContainerSpec;
import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.MemoryRequest;
import dev.opsflow.activities.kubernetes.MemoryResult;
import dev.opsflow.activities.kubernetes.ResourceConditions;
import dev.opsflow.activities.kubernetes.RestartRequest;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.activities.kubernetes.ScaleRequest;
import dev.opsflow.activities.kubernetes.ScaleResult;
import dev.opsflow.activities.metrics.InstantQuery;
import dev.opsflow.activities.metrics.InstantQueryResult;
import dev.opsflow.activities.metrics.MetricSample;
import dev.opsflow.activities.metrics.MetricsActivities;
import dev.opsflow.activities.metrics.QueryOutcome;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.notify.WebhookEvent;
import dev.opsflow.activities.postgres.PostgresActivities;
import dev.opsflow.activities.postgres.ReadOnlyQueries;
import dev.opsflow.activities.postgres.TerminateIdleRequest;
import dev.opsflow.activities.postgres.TerminateIdleResult;
import dev.opsflow.activities.rollout.RouterState;
import dev.opsflow.activities.rollout.WeightRequest;
import dev.opsflow.activities.rollout.featureflag.FeatureFlagRouter;
import dev.opsflow.config.Durations;
import dev.opsflow.config.HttpAllowList;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import dev.opsflow.contracts.runbook.RunbookEvent;
import io.fabric8.kubernetes.api.model.Quantity;
import io.temporal.activity.Activity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches each catalog operation to the activity implementation the built-in procedures use,
 * called in-process, so the same checks run: names, the namespace allow-list, the replica and
 * memory ceilings, commands only where enabled, idempotency by action id. What no built-in
 * procedure does yet (HTTP, a read-only SQL probe, cancelling slow queries, a resource's condition)
 * lives in small pieces beside it ({@link HttpRequests}, {@link ReadOnlyQueries}, {@link
 * ResourceConditions}).
 *
 * <p>Parameters are the runbook author's and never loosen the server's policy: a Deployment is
 * never scaled above {@code healing.maxReplicas} (the Kubernetes activities refuse it), a memory
 * "raise" that would lower the limit is refused, and idle sessions younger than {@code
 * healing.idleSessionAge} are never terminated.
 */
public final class RunbookActivitiesImpl implements RunbookActivities {
  private static final Logger audit = LoggerFactory.getLogger("opsflow.audit");

  /** The failure type of a command that ran and exited non-zero (it is not retried). */
  public static final String COMMAND_FAILED = "CommandFailed";

  private final KubernetesActivities kubernetes;
  private final ResourceConditions conditions;
  private final PostgresActivities postgres;
  private final ReadOnlyQueries queries;
  private final KafkaActivities kafka;
  private final MetricsActivities metrics;
  private final CommandActivities commands;
  private final NotificationActivities notifications;
  private final HttpRequests http;
  private final FeatureFlagRouter featureFlags;
  private final boolean webhookConfigured;
  private final Supplier<HealingPolicy> policy;

  /**
   * @param webhookConfigured the server has a webhook ({@code webhook.url}): runbook events go to
   *     it
   * @param featureFlags the rollouts' flag router ({@code featureFlags.*}: the services and their
   *     tokens are the server's, never the runbook's); null on a worker without one
   * @param policy the server's safety policy (the same the workflows read)
   * @param httpAllow where {@code http.call} and {@code http.probe} may go ({@code
   *     runbooks.httpAllow}): another URL fails its step before any request
   */
  public RunbookActivitiesImpl(
      KubernetesActivities kubernetes,
      ResourceConditions conditions,
      PostgresActivities postgres,
      ReadOnlyQueries queries,
      KafkaActivities kafka,
      MetricsActivities metrics,
      CommandActivities commands,
      NotificationActivities notifications,
      FeatureFlagRouter featureFlags,
      boolean webhookConfigured,
      Supplier<HealingPolicy> policy,
      HttpAllowList httpAllow) {
    this(
        kubernetes,
        conditions,
        postgres,
        queries,
        kafka,
        metrics,
        commands,
        notifications,
        HttpRequests.withDefaults(httpAllow),
        featureFlags,
        webhookConfigured,
        policy);
  }

  RunbookActivitiesImpl(
      KubernetesActivities kubernetes,
      ResourceConditions conditions,
      PostgresActivities postgres,
      ReadOnlyQueries queries,
      KafkaActivities kafka,
      MetricsActivities metrics,
      CommandActivities commands,
      NotificationActivities notifications,
      HttpRequests http,
      FeatureFlagRouter featureFlags,
      boolean webhookConfigured,
      Supplier<HealingPolicy> policy) {
    this.kubernetes = kubernetes;
    this.conditions = conditions;
    this.postgres = postgres;
    this.queries = queries;
    this.kafka = kafka;
    this.metrics = metrics;
    this.commands = commands;
    this.notifications = notifications;
    this.http = http;
    this.featureFlags = featureFlags;
    this.webhookConfigured = webhookConfigured;
    this.policy = policy;
  }

  // ---- probes ----

  @Override
  public ProbeAnswer probe(OperationCall call) {
    return probeOnce(call).withAttempt(attempt());
  }

  /**
   * This activity's attempt (1 the first; a retry by the step's policy counts up), 0 outside one.
   */
  private static int attempt() {
    try {
      return Activity.getExecutionContext().getInfo().getAttempt();
    } catch (IllegalStateException | NullPointerException e) {
      return 0;
    }
  }

  private ProbeAnswer probeOnce(OperationCall call) {
    Parameters p = new Parameters(call);
    return switch (call.operation()) {
      case "http.probe" ->
          http.probe(
              p.string("url", true),
              p.string("method", false),
              p.integer("expectStatus", false),
              p.stringMap("headers"),
              call.timeoutSeconds());
      case "prometheus.query" -> prometheus(p.string("query", true));
      case "postgres.query" -> sql(p);
      case "kubernetes.condition" -> condition(p);
      case "command.probe" -> {
        CommandResult r = command(call, p);
        boolean passed = r.exitCode() == 0 && !r.timedOut();
        yield new ProbeAnswer(passed, commandResult(r), "exit code " + r.exitCode());
      }
      default -> throw unknown("probe", call.operation());
    };
  }

  private ProbeAnswer prometheus(String query) {
    InstantQueryResult r = metrics.instantQuery(InstantQuery.now(query));
    if (r.outcome() == QueryOutcome.EMPTY) {
      // Nothing matched is not a reading of zero: the probe has no value, the check cannot pass.
      return new ProbeAnswer(false, null, "no series matched " + query);
    }
    List<Object> values = new ArrayList<>();
    for (MetricSample s : r.samples()) {
      values.add(s.value());
    }
    Object result = values.size() == 1 ? values.get(0) : values;
    return new ProbeAnswer(true, result, "read " + result);
  }

  private ProbeAnswer sql(Parameters p) {
    String database = p.string("database", false);
    if (database != null) {
      throw FailureTypes.invalidInput(
          "postgres.query: only the configured database (postgres.url) can be asked, not '"
              + database
              + "'");
    }
    List<Map<String, Object>> rows = queries.query(p.string("sql", true), p.list("binds"));
    return new ProbeAnswer(!rows.isEmpty(), rows, rows.size() + " row(s)");
  }

  private ProbeAnswer condition(Parameters p) {
    ResourceConditions.ConditionState state =
        conditions.condition(
            p.string("namespace", true),
            p.string("kind", true),
            p.string("name", true),
            p.string("condition", false));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("condition", state.condition());
    result.put("status", state.status());
    result.put("reason", state.reason());
    return new ProbeAnswer(
        state.holds(),
        result,
        state.kind() + " " + state.name() + " " + state.condition() + "=" + state.status());
  }

  // ---- actions ----

  @Override
  public ActionAnswer act(OperationCall call) {
    return actOnce(call).withAttempt(attempt());
  }

  private ActionAnswer actOnce(OperationCall call) {
    Parameters p = new Parameters(call);
    return switch (call.operation()) {
      case "kubernetes.scale" -> scale(call, p);
      case "kubernetes.rolloutRestart" -> {
        RestartResult r =
            kubernetes.rolloutRestart(
                new RestartRequest(
                    call.actionId(), p.string("namespace", true), p.string("deployment", true)));
        yield new ActionAnswer(
            Map.of("restartedAt", r.restartedAt(), "changed", r.changed()),
            r.changed(),
            "restarted at " + r.restartedAt());
      }
      case "kubernetes.raiseMemory" -> raiseMemory(call, p);
      case "postgres.terminateIdleSessions" -> terminateIdle(call, p);
      case "postgres.cancelSlowQueries" -> {
        List<Integer> pids =
            queries.cancelSlowQueries(
                p.seconds("slowerThan", true),
                p.string("database", false),
                Boolean.TRUE.equals(p.bool("terminate")));
        yield new ActionAnswer(
            Map.of("pids", pids, "count", pids.size()),
            !pids.isEmpty(),
            (Boolean.TRUE.equals(p.bool("terminate")) ? "terminated " : "cancelled ")
                + pids.size()
                + " slow quer(ies)");
      }
      case "kafka.readLag" -> {
        ConsumerLag lag =
            kafka.consumerGroupLag(
                new ConsumerLagRequest(p.string("groupId", true), p.string("topic", false)));
        List<Map<String, Object>> partitions = new ArrayList<>();
        lag.partitions()
            .forEach(
                l -> {
                  Map<String, Object> one = new LinkedHashMap<>();
                  one.put("topic", l.topic());
                  one.put("partition", l.partition());
                  one.put("lag", l.lag());
                  partitions.add(one);
                });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("groupId", lag.groupId());
        result.put("total", lag.totalLag());
        result.put("partitions", partitions);
        yield new ActionAnswer(result, false, lag.groupId() + " lag " + lag.totalLag());
      }
      case "http.call" ->
          http.call(
              p.string("url", true),
              p.string("method", false),
              p.string("body", false),
              p.stringMap("headers"),
              p.integer("expectStatus", false),
              call.timeoutSeconds());
      case "featureFlag.setWeight" -> setFlagWeight(call, p);
      case "command.run" -> {
        CommandResult r = command(call, p);
        if (r.exitCode() != 0 || r.timedOut()) {
          throw io.temporal.failure.ApplicationFailure.newNonRetryableFailure(
              "command "
                  + p.stringList("command")
                  + (r.timedOut() ? " timed out" : " exited " + r.exitCode())
                  + tail(r.stderr()),
              COMMAND_FAILED);
        }
        yield new ActionAnswer(commandResult(r), true, "exit code 0");
      }
      default -> throw unknown("action", call.operation());
    };
  }

  /**
   * Scales to {@code replicas}; with {@code capAtCeiling} a number above {@code
   * healing.maxReplicas} asks for the ceiling instead of being refused, with {@code onlyUp} a
   * number below the current replicas keeps them (a scale-out never scales in). The Kubernetes
   * activities check the ceiling again where they write.
   */
  private ActionAnswer scale(OperationCall call, Parameters p) {
    String namespace = p.string("namespace", true);
    String deployment = p.string("deployment", true);
    int asked = p.integer("replicas", true);
    int wanted = asked;
    int ceiling = policy.get().maxReplicas();
    boolean capped = Boolean.TRUE.equals(p.bool("capAtCeiling")) && wanted > ceiling;
    if (capped) {
      wanted = ceiling;
    }
    if (Boolean.TRUE.equals(p.bool("onlyUp"))) {
      wanted = Math.max(wanted, kubernetes.getDeployment(namespace, deployment).replicas());
    }
    ScaleResult r =
        kubernetes.scaleDeployment(
            new ScaleRequest(call.actionId(), namespace, deployment, wanted));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("previousReplicas", r.previousReplicas());
    result.put("replicas", r.replicas());
    result.put("changed", r.changed());
    if (asked != r.replicas()) {
      result.put("asked", asked);
      result.put("capped", capped);
    }
    return new ActionAnswer(
        result,
        r.changed(),
        "scaled "
            + r.previousReplicas()
            + " -> "
            + r.replicas()
            + (capped
                ? " (asked " + asked + ", capped at healing.maxReplicas " + ceiling + ")"
                : ""));
  }

  /**
   * Sets a flag's percentage through the rollouts' {@link FeatureFlagRouter}: the service is named,
   * its URL and token are the server's; compared first, read back after.
   */
  private ActionAnswer setFlagWeight(OperationCall call, Parameters p) {
    if (featureFlags == null) {
      throw FailureTypes.notConfigured(
          "featureFlag.setWeight: this worker has no flag router (featureFlags.services)");
    }
    String service = p.string("service", true);
    String flag = p.string("flag", true);
    int percentage = p.integer("percentage", true);
    if (percentage < 0 || percentage > 100) {
      throw FailureTypes.invalidInput(
          "featureFlag.setWeight: percentage must be 0-100, got " + percentage);
    }
    RouterState state =
        featureFlags.setWeight(
            new WeightRequest(
                call.actionId(),
                // The flag router reads only its spec; the target names the flag for messages.
                new RolloutTarget(null, service, flag, null, null),
                new TrafficRouterSpec.FeatureFlag(service, flag),
                percentage));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("service", service);
    result.put("flag", flag);
    result.put("percentage", state.canaryWeight());
    result.put("changed", state.changed());
    return new ActionAnswer(result, state.changed(), state.detail());
  }

  /** Raises, never lowers: a limit below the current one is refused, the request kept or capped. */
  private ActionAnswer raiseMemory(OperationCall call, Parameters p) {
    String namespace = p.string("namespace", true);
    String deployment = p.string("deployment", true);
    String limit = p.string("memoryLimit", true);
    DeploymentInfo info = kubernetes.getDeployment(namespace, deployment);
    String wanted = p.string("container", false);
    ContainerSpec container =
        info.containers().stream()
            .filter(c -> wanted == null ? info.containers().size() == 1 : c.name().equals(wanted))
            .findFirst()
            .orElseThrow(
                () ->
                    FailureTypes.invalidInput(
                        "kubernetes.raiseMemory: "
                            + (wanted == null
                                ? namespace + "/" + deployment + " has several containers: name one"
                                : "no container '"
                                    + wanted
                                    + "' in "
                                    + namespace
                                    + "/"
                                    + deployment)));
    if (!container.memoryLimit().isEmpty()
        && bytes(limit).compareTo(bytes(container.memoryLimit())) < 0) {
      throw FailureTypes.invalidInput(
          "kubernetes.raiseMemory: "
              + limit
              + " is below the current limit "
              + container.memoryLimit()
              + " of "
              + container.name()
              + ": a raise never lowers");
    }
    String request = p.string("memoryRequest", false);
    if (request == null) {
      request =
          container.memoryRequest().isEmpty()
                  || bytes(container.memoryRequest()).compareTo(bytes(limit)) > 0
              ? limit
              : container.memoryRequest();
    }
    MemoryResult r =
        kubernetes.setContainerMemory(
            new MemoryRequest(
                call.actionId(), namespace, deployment, container.name(), request, limit));
    return new ActionAnswer(
        Map.of(
            "container", container.name(),
            "previousLimit", r.previousLimit(),
            "memoryLimit", r.memoryLimit(),
            "memoryRequest", r.memoryRequest(),
            "changed", r.changed()),
        r.changed(),
        container.name() + " memory " + r.previousLimit() + " -> " + r.memoryLimit());
  }

  private ActionAnswer terminateIdle(OperationCall call, Parameters p) {
    long idle = p.seconds("idleLongerThan", true);
    long floor = policy.get().idleSessionAgeSeconds();
    if (idle < floor) {
      throw FailureTypes.policyViolation(
          "postgres.terminateIdleSessions: idleLongerThan "
              + idle
              + "s is below the server's "
              + floor
              + "s (healing.idleSessionAge)");
    }
    TerminateIdleResult r =
        postgres.terminateIdleSessions(
            new TerminateIdleRequest(
                call.actionId(),
                idle,
                p.string("database", false),
                Boolean.TRUE.equals(p.bool("includeSuperuserSessions")),
                false));
    return new ActionAnswer(
        Map.of("terminated", r.terminated(), "pids", r.pids(), "skipped", r.skipped()),
        r.terminated() > 0,
        "terminated " + r.terminated() + " idle session(s)");
  }

  private CommandResult command(OperationCall call, Parameters p) {
    return commands.runCommand(
        new CommandRequest(
            call.actionId(),
            p.stringList("command"),
            p.string("workingDirectory", false),
            Math.min(call.timeoutSeconds(), 1_800),
            0));
  }

  private static Map<String, Object> commandResult(CommandResult r) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("exitCode", r.exitCode());
    result.put("stdout", r.stdout());
    result.put("stderr", r.stderr());
    result.put("timedOut", r.timedOut());
    return result;
  }

  private static String tail(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "";
    }
    String s = stderr.strip();
    return ": " + (s.length() > 500 ? s.substring(s.length() - 500) : s);
  }

  // ---- telling people ----

  @Override
  public String notify(RunbookNotice notice) {
    switch (notice.channel()) {
      case SLACK -> {
        SlackPosted posted =
            notifications.postSlack(
                new SlackMessage(notice.actionId(), notice.target(), notice.message(), null, null));
        return "posted to Slack " + posted.channel();
      }
      case PAGERDUTY -> {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("workflowId", notice.workflowId());
        details.put("runbook", notice.runbookId());
        notifications.pagerDuty(
            PagerDutyEvent.trigger(
                "runbook/" + notice.workflowId() + "/" + notice.actionId(),
                notice.message(),
                notice.severity() == null ? "error" : notice.severity(),
                notice.runbookId(),
                details));
        return "paged (PagerDuty)";
      }
      case WEBHOOK -> {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("workflowId", notice.workflowId());
        details.put("runbook", notice.runbookId());
        details.put("target", notice.target());
        notifications.webhook(
            new WebhookEvent(notice.actionId(), "runbook:notify", notice.message(), details));
        return "sent to the webhook";
      }
      default -> {
        audit.info(
            "runbook={} workflowId={} actionId={} message={}",
            notice.runbookId(),
            notice.workflowId(),
            notice.actionId(),
            notice.message());
        return "written to the audit log";
      }
    }
  }

  @Override
  public List<String> eventSubscribers() {
    return webhookConfigured ? List.of("webhook") : List.of();
  }

  @Override
  public void deliverEvent(RunbookEvent event) {
    if (!webhookConfigured) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sequence", event.sequence());
    details.put("runbook", event.runbookId());
    details.put("workflowId", event.workflowId());
    details.put("stepId", event.stepId());
    details.put("atMillis", event.atMillis());
    notifications.webhook(
        new WebhookEvent(
            event.workflowId() + "#" + event.sequence(),
            event.type(),
            event.type()
                + " "
                + event.runbookId()
                + (event.stepId() == null ? "" : " " + event.stepId())
                + (event.detail().isEmpty() ? "" : ": " + event.detail()),
            details));
  }

  // ---- parameters ----

  private static java.math.BigDecimal bytes(String quantity) {
    try {
      return Quantity.getAmountInBytes(new Quantity(quantity));
    } catch (IllegalArgumentException e) {
      throw FailureTypes.invalidInput("'" + quantity + "' is not a memory quantity");
    }
  }

  private static io.temporal.failure.ApplicationFailure unknown(String kind, String operation) {
    return FailureTypes.invalidInput("no " + kind + " '" + operation + "' in the runbook catalog");
  }

  /** A call's parameters, read as the types the catalog declares; a wrong one is InvalidInput. */
  private record Parameters(OperationCall call) {
    private Object raw(String name, boolean required) {
      Object value = call.parameters().get(name);
      if (value == null && required) {
        throw FailureTypes.invalidInput(
            call.operation() + ": parameter '" + name + "' is required");
      }
      return value;
    }

    String string(String name, boolean required) {
      Object value = raw(name, required);
      return value == null ? null : value.toString();
    }

    Integer integer(String name, boolean required) {
      Object value = raw(name, required);
      if (value == null) {
        return null;
      }
      if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        return Math.toIntExact(n.longValue());
      }
      try {
        return Integer.parseInt(value.toString().strip());
      } catch (NumberFormatException e) {
        throw wrong(name, value, "an integer");
      }
    }

    Boolean bool(String name) {
      Object value = raw(name, false);
      if (value == null || value instanceof Boolean) {
        return (Boolean) value;
      }
      if ("true".equalsIgnoreCase(value.toString()) || "false".equalsIgnoreCase(value.toString())) {
        return Boolean.parseBoolean(value.toString());
      }
      throw wrong(name, value, "true or false");
    }

    long seconds(String name, boolean required) {
      String value = string(name, required);
      try {
        return Durations.parse(value).toSeconds();
      } catch (IllegalArgumentException e) {
        throw wrong(name, value, "a duration such as 30s, 5m or 2h");
      }
    }

    List<String> stringList(String name) {
      Object value = raw(name, true);
      if (value instanceof List<?> list) {
        return list.stream().map(String::valueOf).toList();
      }
      throw wrong(name, value, "a list of strings");
    }

    List<Object> list(String name) {
      Object value = raw(name, false);
      if (value == null) {
        return List.of();
      }
      if (value instanceof List<?> list) {
        return new ArrayList<>(list);
      }
      throw wrong(name, value, "a list");
    }

    Map<String, String> stringMap(String name) {
      Object value = raw(name, false);
      if (value == null) {
        return Map.of();
      }
      if (value instanceof Map<?, ?> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
      }
      throw wrong(name, value, "a map of strings");
    }

    private io.temporal.failure.ApplicationFailure wrong(String name, Object value, String what) {
      return FailureTypes.invalidInput(
          call.operation()
              + ": parameter '"
              + name
              + "' must be "
              + what
              + ", got '"
              + value
              + "'");
    }
  }
}
