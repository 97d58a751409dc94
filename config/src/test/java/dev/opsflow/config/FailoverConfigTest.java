package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverConfigTest {
  @TempDir Path dir;

  private OpsflowConfig load(String text) throws IOException {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, text);
    return ConfigLoader.load(file, Map.of());
  }

  private String cluster(String members) {
    return """
        failover:
          replayTimeout: 20s
          clusters:
            demo:
              namespace: db
              service: demo-db
              roleLabelKey: opsflow.dev/role
              members:
        """
        + members;
  }

  @Test
  void readsTheClustersMembersWithTheirPasswordFromAFile() throws IOException {
    Path secret = dir.resolve("pg");
    Files.writeString(secret, "s3cret\n");
    OpsflowConfig config =
        load(
            cluster(
                "        demo-a: {url: 'jdbc:postgresql://a:5432/postgres', user: postgres,"
                    + " passwordFile: '"
                    + secret
                    + "', pod: demo-db-0}\n"
                    + "        demo-b: {url: 'jdbc:postgresql://b:5432/postgres', user: postgres,"
                    + " pod: demo-db-1}\n"));
    OpsflowConfig.FailoverCluster demo = config.failover().clusters().get("demo");
    assertThat(demo.namespace()).isEqualTo("db");
    assertThat(demo.service()).isEqualTo("demo-db");
    assertThat(demo.roleLabelKey()).isEqualTo("opsflow.dev/role");
    assertThat(demo.members()).containsOnlyKeys("demo-a", "demo-b");
    assertThat(demo.members().get("demo-a").password().reveal()).isEqualTo("s3cret");
    assertThat(demo.members().get("demo-b").pod()).isEqualTo("demo-db-1");
    assertThat(demo.members().get("demo-b").password().isPresent()).isFalse();
    assertThat(config.failover().replayTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void defaultsAreOneMebibyteThirtySecondsThreeProbesAndApprovalRequired() {
    OpsflowConfig.Failover failover = OpsflowConfig.defaults().failover();
    assertThat(failover.clusters()).isEmpty();
    assertThat(failover.maximumLagOnFailoverBytes()).isEqualTo(1024 * 1024);
    assertThat(failover.confirmationWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(failover.confirmationProbes()).isEqualTo(3);
    assertThat(failover.unattended()).isFalse();
  }

  @Test
  void aMemberWithoutAPodIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                load(
                    cluster(
                        "        demo-a: {url: 'jdbc:postgresql://a/p', user: postgres, pod: p0}\n"
                            + "        demo-b: {url: 'jdbc:postgresql://b/p', user: postgres}\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("failover.clusters.demo.members.demo-b.pod");
  }

  @Test
  void aPasswordInTheFileItselfIsRefused() {
    assertThatThrownBy(
            () ->
                load(
                    cluster(
                        "        demo-a: {url: 'jdbc:postgresql://a/p', user: u, password: x,"
                            + " pod: p0}\n"
                            + "        demo-b: {url: 'jdbc:postgresql://b/p', user: u, pod: p1}\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("failover.clusters.demo.members.demo-a.password")
        .hasMessageNotContaining(": x");
  }

  @Test
  void aClusterWithOneMemberIsRefused() {
    assertThatThrownBy(
            () ->
                load(cluster("        demo-a: {url: 'jdbc:postgresql://a/p', user: u, pod: p}\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("failover.clusters.demo.members");
  }
}
