package dev.opsflow.activities.kubernetes;

import java.util.List;

/**
 * The pods a Service's Endpoints name: its heartbeat and result in {@link
 * ServiceRoutingActivities#awaitEndpoints}.
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param readyPods the pods traffic goes to (ready addresses), sorted
 * @param notReadyPods the pods selected but not ready, sorted
 */
public record ServiceEndpoints(
    String namespace, String service, List<String> readyPods, List<String> notReadyPods) {}
