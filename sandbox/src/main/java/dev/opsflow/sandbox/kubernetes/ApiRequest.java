package dev.opsflow.sandbox.kubernetes;

import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * One request the sandbox API server received, as a test asks about it: which verb on which
 * resource of which namespace, and whether it came with opsflow's credentials (the kubeconfig of
 * {@link KubernetesSandbox#writeKubeconfig}) or from the sandbox itself (its controller, seeding).
 *
 * @param verb the HTTP method: GET, POST, PUT, PATCH, DELETE
 * @param path the request path with its query
 * @param namespace the namespace in the path, or "" for cluster-wide requests
 * @param resource the plural resource in the path (deployments, pods, ...), or ""
 * @param name the object's name in the path, or "" for a list or a create
 * @param byOpsflow true when sent with the token of the sandbox kubeconfig
 * @param body the request body (a JSON patch, an object), "" when there is none
 */
public record ApiRequest(
    String verb,
    String path,
    String namespace,
    String resource,
    String name,
    boolean byOpsflow,
    String body) {

  /** True for a request that changes something (anything but GET). */
  public boolean mutating() {
    return !verb.equals("GET");
  }

  static ApiRequest of(RecordedRequest request) {
    String path = request.getPath() == null ? "" : request.getPath();
    String[] parts = path.split("\\?", 2)[0].split("/");
    String namespace = "";
    String resource = "";
    String name = "";
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].equals("namespaces") && i + 1 < parts.length) {
        namespace = parts[i + 1];
        resource = i + 2 < parts.length ? parts[i + 2] : "namespaces";
        name = i + 3 < parts.length ? parts[i + 3] : "";
        break;
      }
    }
    String authorization = request.getHeader("Authorization");
    // getBytes, not readUtf8: reading would consume the body before the CRUD store sees it.
    String body =
        request.getBody() == null
            ? ""
            : new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new ApiRequest(
        request.getMethod(),
        path,
        namespace,
        resource,
        name,
        ("Bearer " + KubernetesSandbox.OPSFLOW_TOKEN).equals(authorization),
        body);
  }
}
