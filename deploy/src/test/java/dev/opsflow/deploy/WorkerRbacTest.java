package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The worker's service account may do what the automaton's acceptance checks demand and nothing
 * else, evaluated like {@code kubectl auth can-i --as=system:serviceaccount:opsflow-system:...}.
 */
class WorkerRbacTest {
  private static final String SA_NS = RenderedChart.NAMESPACE;
  private static final String WORKER = "opsflow-worker";

  @Test
  void defaultsReadPodsAndScaleDeploymentsInTheAllowedNamespaceOnly() {
    AccessReview review = new AccessReview(RenderedChart.withDefaults().resources);

    assertThat(can(review, "get", "", "pods", "default")).isTrue();
    assertThat(can(review, "list", "", "pods", "default")).isTrue();
    assertThat(can(review, "watch", "", "pods", "default")).isTrue();
    assertThat(can(review, "get", "apps", "deployments", "default")).isTrue();
    assertThat(can(review, "patch", "apps", "deployments", "default")).isTrue();
    assertThat(can(review, "patch", "apps", "deployments/scale", "default")).isTrue();

    assertThat(can(review, "delete", "", "pods", "default")).isFalse();
    assertThat(can(review, "deletecollection", "", "pods", "default")).isFalse();
    assertThat(can(review, "delete", "apps", "deployments", "default")).isFalse();
    assertThat(can(review, "create", "", "pods/exec", "default")).isFalse();
    assertThat(can(review, "patch", "", "services", "default")).isFalse();
    assertThat(can(review, "get", "", "secrets", "default")).isFalse();
    // Outside the allow-list nothing at all, not even reads.
    assertThat(can(review, "get", "", "pods", "kube-system")).isFalse();
    assertThat(can(review, "patch", "apps", "deployments", "opsflow-system")).isFalse();
  }

  @Test
  void logCleanupAddsPodExecAndFailoverAddsServicesInEachManagedNamespace() {
    AccessReview review = new AccessReview(RenderedChart.withTestValues().resources);

    for (String ns : List.of("payments", "orders")) {
      assertThat(can(review, "create", "", "pods/exec", ns)).as(ns).isTrue();
      assertThat(can(review, "patch", "", "services", ns)).as(ns).isTrue();
      assertThat(can(review, "patch", "apps", "deployments/scale", ns)).as(ns).isTrue();
      assertThat(can(review, "delete", "", "pods", ns)).as(ns).isFalse();
      assertThat(can(review, "delete", "", "services", ns)).as(ns).isFalse();
    }
    assertThat(can(review, "get", "", "pods", "default")).isFalse();
    assertThat(RenderedChart.withTestValues().all(Role.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("payments", "orders");
  }

  @Test
  void eachFeatureAloneGrantsOnlyItsOwnRule() {
    AccessReview exec =
        new AccessReview(
            RenderedChart.render(null, Map.of("features.logCleanup", "true")).resources);
    assertThat(can(exec, "create", "", "pods/exec", "default")).isTrue();
    assertThat(can(exec, "patch", "", "services", "default")).isFalse();

    AccessReview failover =
        new AccessReview(RenderedChart.render(null, Map.of("features.failover", "true")).resources);
    assertThat(can(failover, "patch", "", "services", "default")).isTrue();
    assertThat(can(failover, "create", "", "pods/exec", "default")).isFalse();
    assertThat(can(failover, "patch", "gateway.networking.k8s.io", "httproutes", "default"))
        .isFalse();

    AccessReview routes =
        new AccessReview(
            RenderedChart.render(null, Map.of("features.httpRouteRouter", "true")).resources);
    assertThat(can(routes, "patch", "gateway.networking.k8s.io", "httproutes", "default")).isTrue();
    assertThat(can(routes, "get", "gateway.networking.k8s.io", "httproutes", "default")).isTrue();
    assertThat(can(routes, "patch", "", "services", "default")).isFalse();
  }

  @Test
  void clusterWideIsOneClusterRoleOnlyWhenAskedForAndStillCannotDeletePods() {
    RenderedChart chart = RenderedChart.render(null, Map.of("rbac.clusterWide", "true"));
    AccessReview review = new AccessReview(chart.resources);

    assertThat(chart.all(ClusterRole.class)).hasSize(1);
    assertThat(chart.all(Role.class)).isEmpty();
    assertThat(can(review, "patch", "apps", "deployments", "anywhere")).isTrue();
    assertThat(can(review, "delete", "", "pods", "anywhere")).isFalse();
  }

  @Test
  void noRuleAnywhereGrantsDeleteOrWildcards() {
    RenderedChart everything =
        RenderedChart.render(RenderedChart.TEST_VALUES, Map.of("rbac.clusterWide", "true"));
    List<PolicyRule> rules =
        Stream.concat(
                Stream.concat(
                    RenderedChart.withTestValues().all(Role.class).stream()
                        .flatMap(r -> r.getRules().stream()),
                    everything.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream())),
                Stream.empty())
            .toList();

    assertThat(rules).isNotEmpty();
    assertThat(rules)
        .allSatisfy(
            r -> {
              assertThat(r.getVerbs()).doesNotContain("delete", "deletecollection", "*");
              assertThat(r.getResources()).doesNotContain("*", "secrets");
              assertThat(r.getApiGroups()).doesNotContain("*");
            });
  }

  @Test
  void theStarterHasNoKubernetesAccessAndNoToken() {
    RenderedChart chart = RenderedChart.withTestValues();
    AccessReview review = new AccessReview(chart.resources);

    assertThat(review.rulesFor(SA_NS, "opsflow-starter", "payments")).isEmpty();
    assertThat(
            chart.named(ServiceAccount.class, "opsflow-starter").getAutomountServiceAccountToken())
        .isFalse();
    assertThat(chart.starter().getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
        .isFalse();
    assertThat(chart.worker().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(WORKER);
  }

  private static boolean can(
      AccessReview review, String verb, String group, String resource, String namespace) {
    return review.can(SA_NS, WORKER, verb, group, resource, namespace);
  }
}
