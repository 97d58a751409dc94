package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.sandbox.demo.DemoApp;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import dev.opsflow.sandbox.model.ModelServer;
import dev.opsflow.sandbox.prometheus.SandboxPrometheus;
import dev.opsflow.sandbox.traffic.RequestMetrics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built-in checks, unchanged, against the sandbox's own workloads as {@code opsflow dev
 * --sandbox} runs them: a real Prometheus (Debian's package) scraping the demo app, where a canary
 * with a {@code bad} image serves beside a good stable version, and the model server, where {@code
 * v2} serves beside {@code v1}. Skipped, saying so, when {@code /usr/bin/prometheus} is absent
 * ({@code apt-get install prometheus}; {@code .ci/run} installs it).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SandboxAppsAgainstPrometheusIT {
  private static final String NS = "shop";
  private static KubernetesSandbox kubernetes;
  private static DemoApp demo;
  private static ModelServer models;
  private static SandboxPrometheus prometheus;
  private static MetricsActivitiesImpl metrics;

  @BeforeAll
  static void start() {
    Optional<Path> binary = SandboxPrometheus.installed();
    Assumptions.assumeTrue(
        binary.isPresent(),
        "assumption: no Prometheus at "
            + SandboxPrometheus.DEFAULT_BINARY
            + " ("
            + SandboxPrometheus.INSTALL_HINT
            + "); the sandbox-against-Prometheus test is skipped");
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedApplication(NS, "web", 3, "registry.example/web:1.0");
    canary("web", "registry.example/web:2.0-bad");
    kubernetes.seedApplication(NS, "model", 1, "registry.example/model-server:v1");
    canary("model", "registry.example/model-server:v2");
    demo = DemoApp.start(kubernetes.client(), NS, "web", 40);
    models = ModelServer.start(kubernetes.client(), NS, "model", 40);
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("demo-app", demo.scrapeTarget());
    targets.put("model-server", models.scrapeTarget());
    prometheus = SandboxPrometheus.start(binary.get(), targets);
    metrics =
        new MetricsActivitiesImpl(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
            prometheus.url(),
            Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable part : new AutoCloseable[] {prometheus, models, demo, kubernetes}) {
      if (part != null) {
        try {
          part.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** A canary beside the stable one behind its Service, as the replica-ratio router makes it. */
  private static void canary(String stable, String image) {
    Deployment d = kubernetes.client().apps().deployments().inNamespace(NS).withName(stable).get();
    Map<String, String> labels = Map.of("app", stable, "track", "canary");
    kubernetes
        .client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(stable + "-canary")
                .withNamespace(NS)
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(labels)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .editSpec()
                .editFirstContainer()
                .withImage(image)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    kubernetes.reconcile();
  }

  private static AnalysisSubject canaryOf(String stable) {
    return new AnalysisSubject(NS, stable, stable + "-canary", stable);
  }

  private static AnalysisSubject stableOf(String stable) {
    return new AnalysisSubject(NS, stable, stable, stable);
  }

  /** Measures until the check is conclusive, i.e. Prometheus has two scrapes of the series. */
  private static Measurement conclusive(MetricCheck check, AnalysisSubject subject) {
    Measurement[] last = new Measurement[1];
    await(check.name() + " of " + subject.canary() + " has data")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              last[0] = metrics.measure(new MeasurementRequest(check, subject));
              return last[0].phase() == MeasurementPhase.SUCCESSFUL
                  || last[0].phase() == MeasurementPhase.FAILED;
            });
    return last[0];
  }

  /**
   * Waits until the canary's last minute holds at least {@code requests} requests, so a share
   * measured over it has a known spread: the bad image fails each request with probability 0.1
   * independently, and over 200 requests 0.1 +- 0.085 is four standard deviations. Measured at the
   * first scrape instead (a few dozen requests), a loaded CI run read 0.069 and failed.
   */
  private static void awaitRequestsInWindow(AnalysisSubject subject, int requests) {
    MetricCheck count =
        new MetricCheck(
            "canary-requests",
            "sum(increase("
                + RequestMetrics.REQUESTS
                + "{namespace=\"{{namespace}}\",deployment=\"{{canary}}\"}[1m]))",
            BuiltInChecks.DEFAULT_INTERVAL_SECONDS,
            BuiltInChecks.DEFAULT_COUNT,
            "result >= " + requests + ".0",
            null,
            0,
            0,
            null,
            false);
    await(requests + " requests of " + subject.canary() + " in the last minute")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                metrics.measure(new MeasurementRequest(count, subject)).phase()
                    == MeasurementPhase.SUCCESSFUL);
  }

  @Test
  void aBadCanarysErrorRateIsMeasurablyAboveTheStablesAndFailsTheBuiltInChecks() {
    awaitRequestsInWindow(canaryOf("web"), 200);
    Measurement below = conclusive(BuiltInChecks.errorRateBelow(0.01), canaryOf("web"));
    Measurement versus =
        conclusive(BuiltInChecks.errorRateVersusStable(1.5, 0.001), canaryOf("web"));

    assertThat(below.phase()).as(below.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(below.values())
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(0.10, within(0.085)));
    assertThat(versus.phase()).as(versus.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(versus.stableValues())
        .singleElement()
        .satisfies(stable -> assertThat(stable).isLessThan(0.01));
  }

  @Test
  void theStableVersionPassesTheSameErrorRateCheck() {
    Measurement stable = conclusive(BuiltInChecks.errorRateBelow(0.01), stableOf("web"));

    assertThat(stable.phase()).as(stable.message()).isEqualTo(MeasurementPhase.SUCCESSFUL);
    assertThat(stable.values()).singleElement().satisfies(v -> assertThat(v).isLessThan(0.01));
  }

  @Test
  void aBadCanarysP99LatencyIsAboveTheBound() {
    Measurement p99 = conclusive(BuiltInChecks.p99LatencyBelow(0.1), canaryOf("web"));

    assertThat(p99.phase()).as(p99.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(p99.values()).singleElement().satisfies(v -> assertThat(v).isGreaterThan(0.12));
  }

  @Test
  void theWorseModelsServedAccuracyIsBelowTheThresholdAndTheGoodOnesAbove() {
    MetricCheck accuracy =
        new MetricCheck(
            "accuracy",
            ModelServer.ACCURACY_QUERY,
            60,
            5,
            "result >= 0.92",
            null,
            0,
            0,
            null,
            false);

    Measurement v2 = conclusive(accuracy, canaryOf("model"));
    Measurement v1 = conclusive(accuracy, stableOf("model"));

    assertThat(v2.phase()).as(v2.message()).isEqualTo(MeasurementPhase.FAILED);
    assertThat(v1.phase()).as(v1.message()).isEqualTo(MeasurementPhase.SUCCESSFUL);
  }
}
