package dev.opsflow.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Answers {@code kubectl auth can-i VERB RESOURCE[/SUBRESOURCE] -n NAMESPACE
 * --as=system:serviceaccount:SA_NAMESPACE:SA} from Roles, ClusterRoles and their bindings, the way
 * the RBAC authorizer does: a request is allowed when any rule bound to the subject matches its API
 * group, resource (with subresource) and verb; rules only add, nothing denies.
 */
final class AccessReview {
  private final List<Role> roles;
  private final List<ClusterRole> clusterRoles;
  private final List<RoleBinding> roleBindings;
  private final List<ClusterRoleBinding> clusterRoleBindings;

  AccessReview(List<? extends HasMetadata> resources) {
    roles = only(resources, Role.class);
    clusterRoles = only(resources, ClusterRole.class);
    roleBindings = only(resources, RoleBinding.class);
    clusterRoleBindings = only(resources, ClusterRoleBinding.class);
  }

  private static <T> List<T> only(List<? extends HasMetadata> resources, Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * @param resource e.g. {@code pods}, {@code deployments/scale}, {@code pods/exec}
   * @param apiGroup "" for the core group, {@code apps} for Deployments
   */
  boolean can(
      String saNamespace,
      String serviceAccount,
      String verb,
      String apiGroup,
      String resource,
      String namespace) {
    return rulesFor(saNamespace, serviceAccount, namespace).stream()
        .anyMatch(rule -> matches(rule, verb, apiGroup, resource));
  }

  /** Every rule that applies to the service account in the namespace. */
  List<PolicyRule> rulesFor(String saNamespace, String serviceAccount, String namespace) {
    List<PolicyRule> rules = new ArrayList<>();
    for (RoleBinding binding : roleBindings) {
      if (!binding.getMetadata().getNamespace().equals(namespace)
          || !boundTo(binding.getSubjects(), saNamespace, serviceAccount)) {
        continue;
      }
      RoleRef ref = binding.getRoleRef();
      if (ref.getKind().equals("Role")) {
        roles.stream()
            .filter(r -> r.getMetadata().getName().equals(ref.getName()))
            .filter(r -> r.getMetadata().getNamespace().equals(namespace))
            .forEach(r -> rules.addAll(r.getRules()));
      } else {
        clusterRules(ref.getName()).forEach(rules::add);
      }
    }
    for (ClusterRoleBinding binding : clusterRoleBindings) {
      if (boundTo(binding.getSubjects(), saNamespace, serviceAccount)) {
        clusterRules(binding.getRoleRef().getName()).forEach(rules::add);
      }
    }
    return rules;
  }

  private Stream<PolicyRule> clusterRules(String name) {
    return clusterRoles.stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .flatMap(r -> r.getRules().stream());
  }

  private static boolean boundTo(List<Subject> subjects, String saNamespace, String name) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    s.getKind().equals("ServiceAccount")
                        && s.getName().equals(name)
                        && saNamespace.equals(s.getNamespace()));
  }

  private static boolean matches(PolicyRule rule, String verb, String apiGroup, String resource) {
    return (rule.getResourceNames() == null || rule.getResourceNames().isEmpty())
        && anyOf(rule.getVerbs(), verb)
        && anyOf(rule.getApiGroups(), apiGroup)
        && (anyOf(rule.getResources(), resource)
            || resource.contains("/")
                && anyOf(
                    rule.getResources(), "*/" + resource.substring(resource.indexOf('/') + 1)));
  }

  private static boolean anyOf(List<String> granted, String wanted) {
    return granted != null && (granted.contains("*") || granted.contains(wanted));
  }
}
