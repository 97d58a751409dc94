package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the production artifact ships, measured as the README's table is: {@code opsflow.jar} plus
 * every file its manifest's {@code Class-Path} names. A dependency that grows it past the bound, or
 * brings back a library it was cut loose from, fails here; raise the bound only with the README's
 * table and the reason.
 */
class ProductionArtifactTest {
  /**
   * 76.34 MB when measured (68.4 MB before CEL, 2.3 MB, came for analysis conditions; 70.95 MB
   * before the Gateway API model and the two traffic routers, 1.66 MB, came for canary rollouts;
   * 74.16 MB bound before the runbook schema validator, networknt's json-schema-validator on
   * Jackson 3 with its YAML reader, 1.88 MB, came for runbook validation at the worker and the CLI:
   * the bound rose by exactly each; then opsflow's own canary and blue-green classes, 0.1 MB; then
   * its ML deployment, runbook interpreter, prebuilt-runbook catalog actions and alert-to-runbook
   * routing, 0.24 MB, measured 76.34 MB on 2026-12-02, no new library); the margin absorbs patch
   * upgrades, not a new library.
   */
  static final long MAX_BYTES = 76_450_000L;

  /**
   * The fabric8 model jars the client needs: the API groups opsflow reads and writes (core, apps,
   * autoscaling, and the Gateway API's HTTPRoutes) and those the client's constructor registers
   * handlers for (batch, certificates, extensions).
   */
  static final Set<String> KUBERNETES_MODELS =
      Set.of(
          "common",
          "core",
          "apps",
          "autoscaling",
          "gatewayapi",
          "batch",
          "certificates",
          "extensions");

  private static final Pattern KUBERNETES_MODEL =
      Pattern.compile("kubernetes-model-([a-z]+)-[0-9.]+\\.jar");

  private static final Path TARGET = RepositoryRoot.resolve("starter/target");
  private static List<Path> files;

  @BeforeAll
  static void readManifest() throws IOException {
    Path jar = TARGET.resolve("opsflow.jar");
    assumeTrue(Files.isRegularFile(jar), "starter/target/opsflow.jar not built (run with -am)");
    files = new ArrayList<>(List.of(jar));
    try (JarFile file = new JarFile(jar.toFile())) {
      String classPath = file.getManifest().getMainAttributes().getValue("Class-Path");
      Arrays.stream(classPath.split(" ")).map(TARGET::resolve).forEach(files::add);
    }
  }

  @Test
  void staysBelowTheStatedBound() throws IOException {
    long bytes = 0;
    for (Path file : files) {
      bytes += Files.size(file);
    }
    assertThat(bytes)
        .as("opsflow.jar + its %d class path entries, in bytes", files.size() - 1)
        .isLessThan(MAX_BYTES);
  }

  @Test
  void carriesOnlyTheKubernetesModelsTheClientLoads() {
    List<String> models =
        names().stream()
            .map(KUBERNETES_MODEL::matcher)
            .filter(m -> m.matches())
            .map(m -> m.group(1))
            .toList();
    assertThat(models).containsExactlyInAnyOrderElementsOf(KUBERNETES_MODELS);
  }

  @Test
  void leavesOutTheLibrariesItWasCutLooseFrom() {
    assertThat(names())
        .as("the JDK's HttpClient serves fabric8, Slack, PagerDuty and the webhook")
        .noneMatch(n -> n.startsWith("kubernetes-httpclient-vertx"))
        .noneMatch(n -> n.startsWith("vertx-"))
        .noneMatch(n -> n.startsWith("netty-"))
        .noneMatch(n -> n.startsWith("slack-api-"))
        .noneMatch(n -> n.startsWith("okhttp"))
        .noneMatch(n -> n.startsWith("okio"))
        .as("/metrics serves text, never protobuf")
        .noneMatch(n -> n.startsWith("prometheus-metrics-exposition-formats"))
        .as("the Kafka Admin API reads no record batches")
        .noneMatch(n -> n.startsWith("zstd-jni") || n.startsWith("lz4") || n.startsWith("snappy"))
        .anyMatch(n -> n.startsWith("kubernetes-httpclient-jdk-"));
  }

  private static List<String> names() {
    return files.stream().map(p -> p.getFileName().toString()).toList();
  }
}
