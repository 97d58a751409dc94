package dev.opsflow.activities.kubernetes;

import java.util.List;

/**
 * Run {@code command} (argv, no shell) in {@code container} (empty = the first) of every pod
 * matching {@code labelSelector}.
 */
public record ExecRequest(
    String actionId,
    String namespace,
    String labelSelector,
    String container,
    List<String> command,
    long timeoutSeconds) {}
