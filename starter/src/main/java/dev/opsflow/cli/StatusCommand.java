package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a workflow for its status (the 'status' query): phase, what it waits for, actions taken",
      "with their outcome, escalations; and Temporal's runStatus with the failure or terminate",
      "reason of a run that ended so. Works on running and finished workflows."
    })
class StatusCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "ask the starter's REST API (GET /api/executions/{id}/status) instead of Temporal: no"
              + " gRPC client to start, so the quickest call (env OPSFLOW_API_URL; the token,"
              + " viewer or above, from env OPSFLOW_API_TOKEN or --api-token-file)")
  String api;

  @Option(
      names = "--api-token-file",
      paramLabel = "FILE",
      description = "file holding the REST API token (instead of env OPSFLOW_API_TOKEN)")
  java.nio.file.Path apiTokenFile;

  @Override
  Integer withoutTemporal() throws Exception {
    String url = api != null ? api : System.getenv("OPSFLOW_API_URL");
    if (url == null || url.isBlank()) {
      return null;
    }
    java.net.URI base;
    try {
      base = java.net.URI.create(url.endsWith("/") ? url : url + "/");
      if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
        throw new IllegalArgumentException("not http(s)");
      }
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "--api: not an http(s) URL: " + dev.opsflow.activities.Printable.quoted(url));
    }
    String token = System.getenv("OPSFLOW_API_TOKEN");
    if (apiTokenFile != null) {
      try {
        token = java.nio.file.Files.readString(apiTokenFile).strip();
      } catch (java.io.IOException e) {
        throw new BadInputException("--api-token-file: cannot read " + apiTokenFile);
      }
    }
    if (token == null || token.isBlank()) {
      throw new BadInputException(
          "OPSFLOW_API_TOKEN: not set; the REST API needs a caller's token (viewer or above)");
    }
    // HttpURLConnection, not java.net.http: this call is about start-up time, and the JDK's
    // HttpClient sets up TLS (a few hundred classes and the CA store) even for an http:// URL.
    java.net.HttpURLConnection http;
    int code;
    String text;
    try {
      http =
          (java.net.HttpURLConnection)
              base.resolve(
                      "api/executions/"
                          + java.net.URLEncoder.encode(
                                  workflowId, java.nio.charset.StandardCharsets.UTF_8)
                              .replace("+", "%20")
                          + "/status")
                  .toURL()
                  .openConnection();
      http.setConnectTimeout(5_000);
      http.setReadTimeout(15_000);
      http.setRequestProperty("Authorization", "Bearer " + token);
      http.setRequestProperty("Accept", "application/json");
      code = http.getResponseCode();
      java.io.InputStream in = code < 400 ? http.getInputStream() : http.getErrorStream();
      text =
          in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      spec.commandLine()
          .getErr()
          .printf(
              "opsflow: cannot reach the REST API at %s (%s)%n",
              base, e.getClass().getSimpleName());
      return OpsflowCommand.FAILED;
    }
    JsonNode body;
    try {
      body = OperatorCommand.JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = OperatorCommand.JSON.createObjectNode();
    }
    if (code == 200 && body.isObject()) {
      return print((ObjectNode) body);
    }
    String error = body.path("error").asText("HTTP " + code);
    if (code == 404 || code == 409) {
      throw new BadInputException("WORKFLOW_ID: " + error);
    }
    if (code == 401 || code == 403) {
      throw new BadInputException("OPSFLOW_API_TOKEN: the REST API refused it (" + error + ")");
    }
    spec.commandLine()
        .getErr()
        .printf("opsflow: the REST API at %s answered %d: %s%n", base, code, error);
    return OpsflowCommand.FAILED;
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    ObjectNode status;
    try (Executions executions = new Executions(temporal.client())) {
      status = executions.statusView(workflowId);
    } catch (Executions.NoStatus e) {
      throw new BadInputException("WORKFLOW_ID: " + e.getMessage());
    }
    return print(status);
  }

  /** The status as a table (or JSON): its fields, actions, waits, analysis, timeline. */
  int print(ObjectNode status) throws Exception {
    if (json) {
      printJson(status);
      return 0;
    }
    Table summary = new Table("FIELD", "VALUE");
    status
        .fields()
        .forEachRemaining(
            f -> {
              if (!f.getValue().isContainerNode()) {
                summary.add(f.getKey(), f.getValue().asText());
              }
            });
    summary.print(out());
    JsonNode actions = status.path("actions");
    if (actions.isArray() && !actions.isEmpty()) {
      out().println();
      Table table = new Table("ACTION", "TARGET", "AT", "OK", "DETAIL");
      actions.forEach(
          a ->
              table.add(
                  a.path("action").asText(),
                  a.path("target").asText(),
                  java.time.Instant.ofEpochMilli(a.path("atMillis").asLong()),
                  a.path("success").asBoolean() ? "yes" : "FAILED",
                  a.path("detail").asText()));
      table.print(out());
    }
    JsonNode waiting = status.path("waitingFor");
    if (waiting.isArray() && !waiting.isEmpty()) {
      out().println();
      Table table = new Table("WAITS FOR", "ACTION", "MAY DECIDE", "APPROVALS", "SINCE", "ANSWER");
      waiting.forEach(
          w ->
              table.add(
                  w.path("kind").asText(),
                  w.path("action").asText()
                      + (w.path("detail").asText().isEmpty()
                          ? ""
                          : " (" + w.path("detail").asText() + ")"),
                  w.path("approvers").isEmpty()
                      ? "any operator"
                      : String.join(
                          ",",
                          OperatorCommand.JSON.convertValue(w.path("approvers"), String[].class)),
                  w.path("approvals").asInt() + "/" + w.path("required").asInt(),
                  java.time.Instant.ofEpochMilli(w.path("sinceMillis").asLong()),
                  String.join(
                      "|", OperatorCommand.JSON.convertValue(w.path("choices"), String[].class))));
      table.print(out());
    }
    JsonNode analysis = status.path("analysis");
    if (analysis.isArray() && !analysis.isEmpty()) {
      out().println();
      Table table = new Table("METRIC", "VERDICT", "OK/FAIL/INCONCL/ERR", "LAST", "LAST DETAIL");
      analysis.forEach(
          m ->
              table.add(
                  m.path("metric").asText() + (m.path("dryRun").asBoolean() ? " (dry run)" : ""),
                  m.path("verdict").asText(),
                  m.path("successful").asInt()
                      + "/"
                      + m.path("failed").asInt()
                      + "/"
                      + m.path("inconclusive").asInt()
                      + "/"
                      + m.path("errors").asInt(),
                  m.path("last").isObject()
                      ? m.path("last").path("phase").asText()
                          + " "
                          + m.path("last").path("values")
                          + (m.path("last").path("stableValues").isEmpty()
                              ? ""
                              : " vs stable " + m.path("last").path("stableValues"))
                      : "-",
                  m.path("last").path("message").asText("")));
      table.print(out());
    }
    JsonNode timeline = status.path("timeline");
    if (timeline.isArray() && !timeline.isEmpty()) {
      out().println();
      Table table = new Table("STEP", "AT", "OK", "BY", "DETAIL");
      timeline.forEach(
          t ->
              table.add(
                  t.path("step").asText()
                      + (t.has("canaryWeight") ? " @" + t.path("canaryWeight").asInt() + "%" : ""),
                  java.time.Instant.ofEpochMilli(t.path("atMillis").asLong()),
                  t.path("success").asBoolean(true) ? "yes" : "NO",
                  t.path("decidedBy").asText(""),
                  t.path("detail").asText()));
      table.print(out());
    }
    JsonNode escalations = status.path("escalations");
    if (escalations.isArray() && !escalations.isEmpty()) {
      out().println();
      escalations.forEach(e -> out().println("escalation: " + e.asText()));
    }
    out().flush();
    return 0;
  }
}
