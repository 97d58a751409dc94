package dev.opsflow.activities.kubernetes;

/**
 * Wait until a Service reaches one pod only ({@link ServiceRoutingActivities#awaitEndpoints}).
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param pod the only pod its ready endpoints may name
 * @param timeoutSeconds how long to wait at most, 1 to 600
 */
public record EndpointsRequest(String namespace, String service, String pod, long timeoutSeconds) {}
