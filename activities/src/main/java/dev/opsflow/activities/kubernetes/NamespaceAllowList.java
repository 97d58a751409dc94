package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import java.util.List;

/**
 * The namespaces opsflow may change. Every mutating Kubernetes activity calls {@link
 * #requireAllowed} before touching the cluster; a namespace outside the list fails with a
 * non-retryable {@code ForbiddenTarget}, and nothing is changed.
 */
public final class NamespaceAllowList {
  private final List<String> allowed;

  public NamespaceAllowList(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  public boolean allows(String namespace) {
    return namespace != null && allowed.contains(namespace);
  }

  public void requireAllowed(String namespace, String what) {
    if (!allows(namespace)) {
      throw FailureTypes.forbiddenTarget(
          what
              + " in namespace '"
              + namespace
              + "' refused: opsflow may only change namespaces "
              + allowed
              + " (kubernetes.allowedNamespaces)");
    }
  }

  public List<String> namespaces() {
    return allowed;
  }
}
