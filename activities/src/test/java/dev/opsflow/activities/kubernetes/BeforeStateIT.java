package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A retried write (its worker died after the write, before it reported back) against fabric8's CRUD
 * mock server, with nothing else talking to it: the second call with the same action id makes no
 * second write and reports the state from before the first attempt, read back from the annotations
 * the first attempt wrote with its change.
 */
class BeforeStateIT {
  private static final String NS = "demo";
  private static CrudApiServer api;
  private static KubernetesActivitiesImpl activities;

  @BeforeAll
  static void start() {
    api = new CrudApiServer();
    api.namespace(NS);
    activities =
        new KubernetesActivitiesImpl(
            api.client, new NamespaceAllowList(List.of(NS)), new HardLimits(10, "8Gi"));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static Deployment read(String name) {
    return api.client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static long writes(List<RecordedRequest> requests) {
    return requests.stream().map(RecordedRequest::getMethod).filter(m -> !m.equals("GET")).count();
  }

  @Test
  void aRetriedMemoryChangeReportsTheMemoryFromBeforeAndWritesOnce() throws Exception {
    api.deployment(NS, "hungry");
    api.drain();

    MemoryResult first =
        activities.setContainerMemory(
            new MemoryRequest("mem-1", NS, "hungry", "app", "1Gi", "2Gi"));
    long firstWrites = writes(api.drain());
    MemoryResult retry =
        activities.setContainerMemory(
            new MemoryRequest("mem-1", NS, "hungry", "app", "1Gi", "2Gi"));
    long retryWrites = writes(api.drain());

    assertThat(first).isEqualTo(new MemoryResult("256Mi", "512Mi", "1Gi", "2Gi", true));
    assertThat(retry).as("512Mi -> 2Gi, not 2Gi -> 2Gi").isEqualTo(first);
    assertThat(firstWrites).isEqualTo(1);
    assertThat(retryWrites).isZero();
    Deployment d = read("hungry");
    assertThat(d.getMetadata().getAnnotations())
        .containsEntry(KubernetesActivitiesImpl.MEMORY_ACTION, "mem-1")
        .containsEntry(KubernetesActivitiesImpl.MEMORY_PREVIOUS_LIMIT, "512Mi")
        .containsEntry(KubernetesActivitiesImpl.MEMORY_PREVIOUS_REQUEST, "256Mi");
    var resources = d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
    assertThat(resources.getLimits().get("memory").toString()).isEqualTo("2Gi");
    assertThat(resources.getRequests().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void aRetriedRestartReportsTheStampAndRevisionFromBeforeAndRestartsOnce() throws Exception {
    api.deployment(NS, "restart-me", 1, Map.of(), Map.of(KubernetesActivitiesImpl.REVISION, "4"));
    activities.rolloutRestart(new RestartRequest("restart-0", NS, "restart-me"));
    String earlier =
        read("restart-me")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(KubernetesActivitiesImpl.RESTARTED_AT);
    api.drain();

    RestartResult first =
        activities.rolloutRestart(new RestartRequest("restart-1", NS, "restart-me"));
    long firstWrites = writes(api.drain());
    RestartResult retry =
        activities.rolloutRestart(new RestartRequest("restart-1", NS, "restart-me"));
    long retryWrites = writes(api.drain());

    assertThat(first.changed()).isTrue();
    assertThat(first.previousRestartedAt()).isEqualTo(earlier);
    assertThat(first.previousRevision()).isEqualTo("4");
    assertThat(first.restartedAt()).isNotEqualTo(earlier);
    assertThat(retry).as("the first attempt's restart, reported again").isEqualTo(first);
    assertThat(firstWrites).isEqualTo(1);
    assertThat(retryWrites).isZero();
    Deployment d = read("restart-me");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(KubernetesActivitiesImpl.RESTARTED_AT, first.restartedAt())
        .containsEntry(KubernetesActivitiesImpl.RESTART_ACTION, "restart-1");
    assertThat(d.getMetadata().getAnnotations())
        .containsEntry(KubernetesActivitiesImpl.RESTART_PREVIOUS, earlier)
        .containsEntry(KubernetesActivitiesImpl.RESTART_PREVIOUS_REVISION, "4");
  }

  @Test
  void theFirstRestartOfADeploymentRecordsThatItHadNoStampBefore() {
    api.deployment(NS, "never-restarted");

    RestartResult first =
        activities.rolloutRestart(new RestartRequest("restart-2", NS, "never-restarted"));

    assertThat(first.previousRestartedAt()).isEmpty();
    assertThat(first.previousRevision()).isEmpty();
    assertThat(activities.rolloutRestart(new RestartRequest("restart-2", NS, "never-restarted")))
        .isEqualTo(first);
  }
}
