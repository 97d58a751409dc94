package dev.opsflow.bench;

import dev.opsflow.bench.bare.BareWorker;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.ClosingStack;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.worker.OpsflowWorker;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The stack one benchmark round runs on, assembled from the same parts as {@code opsflow dev}
 * ({@code DevStack}): a fresh embedded Temporal service, opsflow's worker and the starter's HTTP
 * server, pointed at the sandbox by configuration, plus the bare worker on its own task queue in
 * the same process. Watchdogs are not started, so nothing but the benchmark puts load on it. Each
 * round gets a new stack, so runs parked by one round do not weigh on the next.
 */
final class BenchStack implements AutoCloseable {
  /** The webhook token of the bench stack (loopback only, as the dev stack's). */
  static final String TOKEN = "opsflow-bench";

  /** How the healing policy is set for a benchmark. */
  enum Policy {
    /**
     * High-severity alerts wait an hour to confirm: every run stays open and parked in a timer, as
     * a real lag or connection alert does while it is being confirmed.
     */
    PARKED(
        Map.of(
            "CONFIRM_DELAY_HIGH", "1h",
            "ACTION_COOLDOWN", "5m")),
    /**
     * No settle, confirm or cooldown wait and a governor that admits up to its maximum (1000 at
     * once), so a remediation's time is opsflow's work and the sandbox's rollout, nothing else.
     */
    ZERO_WAITS(
        Map.of(
            "SETTLE_TIME", "0s",
            "CONFIRM_DELAY_HIGH", "0s",
            "CONFIRM_DELAY_MEDIUM", "0s",
            "CONFIRM_DELAY_LOW", "0s",
            "ACTION_COOLDOWN", "0s",
            "MAX_IN_FLIGHT", "1000",
            "MAX_IN_FLIGHT_PER_NAMESPACE", "1000"));

    final Map<String, String> settings;

    Policy(Map<String, String> settings) {
      this.settings = settings;
    }
  }

  private final ClosingStack parts = new ClosingStack();
  private final EmbeddedTemporalService temporal;
  private final TemporalConnection connection;
  private final StarterServer starter;
  private final OpsflowConfig config;

  private BenchStack(
      Map<String, String> sandbox,
      Policy policy,
      boolean opsflowWorker,
      UnaryOperator<OpsflowConfig> adjust) {
    try {
      temporal = parts.push(EmbeddedTemporalService.start("127.0.0.1", 0));
      Map<String, String> settings = new LinkedHashMap<>(sandbox);
      settings.putAll(policy.settings);
      settings.put("TEMPORAL_ADDRESS", temporal.target());
      settings.put("ALERTS_BEARER_TOKEN", TOKEN);
      // A REST caller for `opsflow status ID --api` (the CLI's path without a Temporal client).
      settings.put("OPSFLOW_API_TOKENS", "bench:viewer:" + TOKEN);
      config = adjust.apply(ConfigLoader.load(null, settings));
      OpsflowMetrics metrics = parts.push(new OpsflowMetrics());
      connection =
          parts.push(
              TemporalConnection.connect(
                  config.temporal(), metrics.temporalScope(), Duration.ofSeconds(10)));
      if (opsflowWorker) {
        ActivityCatalog activities =
            parts.push(ActivityCatalog.fromConfig(config, connection.client()));
        parts.push(OpsflowWorker.start(connection.client(), activities));
        parts.push(BareWorker.start(connection.client()));
      }
      starter =
          parts.push(StarterServer.start("127.0.0.1", 0, connection.client(), metrics, config));
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /** A stack with opsflow's worker and the bare worker in this process. */
  static BenchStack start(Map<String, String> sandbox, Policy policy) {
    return new BenchStack(sandbox, policy, true, UnaryOperator.identity());
  }

  /** The same, with {@code adjust} applied to the configuration (e.g. a failover cluster). */
  static BenchStack start(
      Map<String, String> sandbox, Policy policy, UnaryOperator<OpsflowConfig> adjust) {
    return new BenchStack(sandbox, policy, true, adjust);
  }

  /**
   * A stack without any worker in this process: the footprint benchmark runs the worker as its own
   * process, so that its heap is the worker's alone.
   */
  static BenchStack withoutWorker(Map<String, String> sandbox, Policy policy) {
    return new BenchStack(sandbox, policy, false, UnaryOperator.identity());
  }

  WorkflowClient client() {
    return connection.client();
  }

  String temporalTarget() {
    return temporal.target();
  }

  /** The starter's base URL (its REST API is under /api). */
  String starterUrl() {
    return starter.url();
  }

  String alertsUrl() {
    return starter.url() + "/alerts";
  }

  OpsflowConfig config() {
    return config;
  }

  @Override
  public void close() {
    parts.close();
  }
}
