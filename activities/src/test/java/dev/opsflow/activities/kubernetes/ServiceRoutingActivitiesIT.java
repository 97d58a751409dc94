package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the sandbox API server, whose controller plays the endpoints controller: a Service's
 * Endpoints follow the pods its selector matches.
 */
class ServiceRoutingActivitiesIT {
  private static final String NS = "payments-db";
  private static final String ROLE = "role";

  private KubernetesSandbox sandbox;
  private ServiceRoutingActivitiesImpl routing;
  private final List<Object> heartbeats = new CopyOnWriteArrayList<>();
  private final List<ApiRequest> podWrites = new CopyOnWriteArrayList<>();
  private final List<ApiRequest> endpointsWrites = new CopyOnWriteArrayList<>();

  @BeforeEach
  void seedCluster() {
    sandbox = KubernetesSandbox.start();
    var client = sandbox.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    pod("pg-a", "primary");
    pod("pg-b", "replica");
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "db", ROLE, "primary"))
                .addNewPort()
                .withName("postgres")
                .withPort(5432)
                .endPort()
                .endSpec()
                .build())
        .create();
    sandbox.reconcile();
    routing =
        new ServiceRoutingActivitiesImpl(
            client, new NamespaceAllowList(List.of(NS)), heartbeats::add);
    sandbox.onRequest(
        r -> {
          if (r.mutating() && r.resource().equals("pods")) {
            podWrites.add(r);
          }
          if (r.mutating() && r.resource().equals("endpoints")) {
            endpointsWrites.add(r);
          }
        });
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private void pod(String name, String role) {
    sandbox
        .client()
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(Map.of("app", "db", ROLE, role))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("postgres")
                .withImage("postgres:14")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withContainerStatuses(
                    new ContainerStatusBuilder().withName("postgres").withReady(true).build())
                .endStatus()
                .build())
        .create();
  }

  @Test
  void movingTheRoleLabelsMovesTheServiceEndpointsToTheNewPrimaryOnly() throws Exception {
    assertThat(routing.awaitEndpoints(new EndpointsRequest(NS, "db", "pg-a", 5)).readyPods())
        .containsExactly("pg-a");

    RoleLabels moved =
        routing.setRoleLabels(new RoleLabelRequest("sw-1", NS, ROLE, "pg-b", List.of("pg-a")));

    assertThat(moved.changed())
        .as("the old primary is demoted first")
        .containsExactly("pg-a", "pg-b");
    assertThat(moved.roles()).containsEntry("pg-b", "primary").containsEntry("pg-a", "replica");
    assertThat(podWrites).extracting(ApiRequest::name).containsExactly("pg-a", "pg-b");
    assertThat(label("pg-a")).isEqualTo("replica");
    assertThat(label("pg-b")).isEqualTo("primary");

    ServiceEndpoints endpoints = routing.awaitEndpoints(new EndpointsRequest(NS, "db", "pg-b", 10));
    assertThat(endpoints.readyPods()).containsExactly("pg-b");
    assertThat(endpoints.notReadyPods()).isEmpty();
    endpointsWrites.clear();
    Thread.sleep(1_000);
    assertThat(endpointsWrites).as("settled endpoints are not rewritten every tick").isEmpty();

    podWrites.clear();
    RoleLabels again =
        routing.setRoleLabels(new RoleLabelRequest("sw-1", NS, ROLE, "pg-b", List.of("pg-a")));
    assertThat(again.changed()).isEmpty();
    assertThat(podWrites).as("a second call writes no pod").isEmpty();
  }

  @Test
  void endpointsThatNeverNameOnlyThePodFailWithWhatTheyName() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> routing.awaitEndpoints(new EndpointsRequest(NS, "db", "pg-b", 1)));

    assertThat(failure.getType()).isEqualTo(ServiceRoutingActivitiesImpl.ENDPOINTS_NOT_CONVERGED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("[pg-a]").contains("wanted only pg-b");
    assertThat(failure.getDetails().get(ServiceEndpoints.class).readyPods())
        .containsExactly("pg-a");
    assertThat(heartbeats).isNotEmpty().allMatch(ServiceEndpoints.class::isInstance);
  }

  @Test
  void refusesAnotherNamespaceAMissingPodAndABadLabelKeyWithoutChangingAnyPod() {
    ApplicationFailure forbidden =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                routing.setRoleLabels(
                    new RoleLabelRequest("x", "kube-system", ROLE, "pg-b", List.of("pg-a"))));
    assertThat(forbidden.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);

    ApplicationFailure missing =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                routing.setRoleLabels(
                    new RoleLabelRequest("x", NS, ROLE, "pg-b", List.of("pg-a", "pg-gone"))));
    assertThat(missing.getType()).isEqualTo(FailureTypes.NOT_FOUND);
    assertThat(missing.getOriginalMessage()).contains("pg-gone");

    ApplicationFailure badKey =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                routing.setRoleLabels(
                    new RoleLabelRequest("x", NS, "bad key!", "pg-b", List.of("pg-a"))));
    assertThat(badKey.getType()).isEqualTo(FailureTypes.INVALID_NAME);
    assertThat(badKey.getOriginalMessage()).startsWith("labelKey ");

    assertThat(podWrites).isEmpty();
    assertThat(label("pg-a")).isEqualTo("primary");
  }

  private String label(String pod) {
    return sandbox
        .client()
        .pods()
        .inNamespace(NS)
        .withName(pod)
        .get()
        .getMetadata()
        .getLabels()
        .get(ROLE);
  }
}
