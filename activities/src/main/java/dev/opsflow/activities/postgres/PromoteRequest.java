package dev.opsflow.activities.postgres;

/**
 * Promote a replica ({@link FailoverActivities#promote}).
 *
 * @param actionId made by the workflow
 * @param candidate the replica's member name
 * @param formerPrimary the primary it replaces, checked first so that two writable primaries never
 *     exist (see {@link FailoverActivities#promote}); null to skip the check
 */
public record PromoteRequest(String actionId, String candidate, String formerPrimary) {}
