package dev.opsflow.activities.postgres;

/**
 * One member of a failover cluster as a workflow sees it: its name and its pod, never its URL or
 * credentials.
 */
public record ClusterMember(String name, String pod) {}
