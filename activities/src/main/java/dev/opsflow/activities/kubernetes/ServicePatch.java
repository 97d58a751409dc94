package dev.opsflow.activities.kubernetes;

import java.util.Map;

/** Point a Service at the pods with these labels (failover, blue-green). */
public record ServicePatch(
    String actionId, String namespace, String service, Map<String, String> selector) {}
