package dev.opsflow.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * One Prometheus registry per process holding the Temporal SDK's metrics (through its tally scope),
 * JVM metrics and opsflow's own. Workflows emit through {@code Workflow.getMetricsScope()}, which
 * reports into the same scope and is silent on replay.
 */
public final class OpsflowMetrics implements AutoCloseable {
  /**
   * healing_latency is a histogram with buckets an SRE reads against the "under 5 minutes" goal: 30
   * s .. 1 h, with 5 minutes as a boundary.
   */
  private static final MeterFilter HEALING_LATENCY_BUCKETS =
      new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(
            Meter.Id id, DistributionStatisticConfig config) {
          if (!id.getName().equals("healing_latency")) {
            return config;
          }
          return DistributionStatisticConfig.builder()
              .serviceLevelObjectives(
                  Stream.of(30, 60, 120, 300, 600, 900, 1800, 3600)
                      .mapToDouble(s -> Duration.ofSeconds(s).toNanos())
                      .toArray())
              .build()
              .merge(config);
        }
      };

  private final PrometheusMeterRegistry registry;
  private final Scope temporalScope;
  private final JvmGcMetrics gcMetrics;

  public OpsflowMetrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(HEALING_LATENCY_BUCKETS);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    // Tally buffers and reports every second; a scrape sees SDK counters at most 1 s late.
    temporalScope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofSeconds(1));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The scope to give the Temporal service stubs. */
  public Scope temporalScope() {
    return temporalScope;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() throws ScopeCloseException {
    try {
      temporalScope.close();
    } finally {
      gcMetrics.close();
      registry.close();
    }
  }
}
