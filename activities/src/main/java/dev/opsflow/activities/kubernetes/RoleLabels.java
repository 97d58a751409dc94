package dev.opsflow.activities.kubernetes;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link ServiceRoutingActivities#setRoleLabels}.
 *
 * @param actionId the request's action id
 * @param roles each pod's role label after the call
 * @param changed the pods whose label this call changed, in the order changed (empty when all
 *     already had theirs)
 */
public record RoleLabels(String actionId, Map<String, String> roles, List<String> changed) {}
