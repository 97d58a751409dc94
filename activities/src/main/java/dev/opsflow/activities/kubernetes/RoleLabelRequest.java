package dev.opsflow.activities.kubernetes;

import java.util.List;

/**
 * Move a database cluster's role labels ({@link ServiceRoutingActivities#setRoleLabels}).
 *
 * @param actionId made by the workflow, logged with what was changed
 * @param namespace the pods' namespace (must be in {@code kubernetes.allowedNamespaces})
 * @param labelKey the role label, e.g. {@code role} or {@code opsflow.dev/role}
 * @param primaryPod the pod that gets {@code <labelKey>=primary}
 * @param replicaPods the pods that get {@code <labelKey>=replica} (the old primary among them)
 */
public record RoleLabelRequest(
    String actionId,
    String namespace,
    String labelKey,
    String primaryPod,
    List<String> replicaPods) {}
