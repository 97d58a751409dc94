package dev.opsflow.starter.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.activities.Printable;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.Spelling;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.starter.api.RunbookDoor;
import dev.opsflow.starter.api.RunbookInputs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route that starts a runbook as data ({@code runbook: <id>}), checked when the server starts:
 * the runbook must be one the server loaded, and each {@code context} key that names a declared
 * variable must be one a string can fill (a string, a number or a boolean; a list or a mapping
 * cannot come from a label). Per alert it fills the context from the alert's labels ({@code
 * {{label}}}, {@code {{label?}}}) and annotations ({@code {{annotations.NAME}}}, {@code
 * {{annotations.NAME?}}}), converts a number or boolean variable's value, and asks {@link
 * RunbookDoor} for the request, the same check the REST API and the CLI make.
 *
 * <p>The problem is the filled context: alerts that fill it the same way (the 50 per-pod alerts of
 * one service, a resent group) share the workflow ID {@code runbook-<id>-alert-<hash>}, so one run
 * handles them and the door answers a second start with the running run.
 */
final class RunbookRoute {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code {{label}}}, {@code {{label?}}}, {@code {{annotations.NAME}}}, {@code ...NAME?}}. */
  private static final Pattern TEMPLATE =
      Pattern.compile("\\{\\{\\s*(annotations\\.)?([A-Za-z_][A-Za-z0-9_]*)(\\?)?\\s*}}");

  /** Between the runbook's id and the problem's hash in the workflow ID. */
  static final String ALERT_KEY = "alert-";

  private final String at;
  private final RunbookFolder folder;
  private final AlertRoute route;
  private final RunbookDefinition definition;

  /**
   * @param index the route's place in {@code routes}, for refusals
   * @throws ConfigException naming {@code routes[i].runbook} or {@code routes[i].context.KEY}
   */
  RunbookRoute(int index, AlertRoute route, RunbookFolder folder) {
    this.at = "routes[" + index + "]";
    this.folder = folder;
    this.route = route;
    List<String> known = List.copyOf(folder.runbooks().keySet());
    PinnedRunbook pinned =
        folder
            .runbook(route.runbook())
            .orElseThrow(
                () ->
                    new ConfigException(
                        at + ".runbook",
                        "unknown runbook '"
                            + route.runbook()
                            + "'"
                            + Spelling.closest(route.runbook(), known)
                                .map(c -> " (did you mean " + c + "?)")
                                .orElse("")
                            + "; runbooks.dir has "
                            + (known.isEmpty() ? "none" : String.join(", ", known))));
    this.definition = pinned.definition();
    RunbookInputs inputs = RunbookInputs.of(pinned);
    for (Map.Entry<String, String> e : route.context().entrySet()) {
      if (e.getValue() == null) {
        throw new ConfigException(at + ".context." + e.getKey(), "is empty; give a template");
      }
      Object declared = definition.variables().get(e.getKey());
      if (declared instanceof List<?> || declared instanceof Map<?, ?>) {
        throw new ConfigException(
            at + ".context." + e.getKey(),
            "runbook "
                + definition.id()
                + "'s variable "
                + e.getKey()
                + " is a "
                + (declared instanceof List<?> ? "list" : "mapping")
                + "; a route fills strings, numbers and booleans only");
      }
      if (!TEMPLATE.matcher(e.getValue()).find()) {
        // A literal: a value it could never convert is refused now, not at the first alert.
        try {
          converted(e.getKey(), e.getValue());
        } catch (IllegalArgumentException wrong) {
          throw new ConfigException(at + ".context." + e.getKey(), wrong.getMessage());
        }
      }
    }
    for (String name : inputs.required()) {
      if (!route.context().containsKey(name)) {
        throw new ConfigException(
            at + ".context." + name,
            "is missing: runbook "
                + definition.id()
                + " reads input."
                + name
                + " and declares no default; fill it from the alert, e.g. '{{ "
                + name
                + " }}' (a label)");
      }
    }
  }

  String runbookId() {
    return definition.id();
  }

  /** The run this alert asks for, or why it cannot be routed. */
  AlertRouter.Routed route(
      Map<String, String> labels,
      Map<String, String> annotations,
      String severity,
      AlertNotice notice) {
    String name = notice.alertName();
    ObjectNode context = JSON.createObjectNode();
    for (Map.Entry<String, String> e : route.context().entrySet()) {
      Matcher m = TEMPLATE.matcher(e.getValue());
      StringBuilder value = new StringBuilder();
      while (m.find()) {
        boolean annotation = m.group(1) != null;
        String key = m.group(2);
        String v = annotation ? annotations.get(key) : labels.get(key);
        String what = (annotation ? "annotation '" : "label '") + key + "'";
        if ((v == null || v.isEmpty()) && m.group(3) == null) {
          return new AlertRouter.Routed.Unroutable(
              name, what + " is missing (route context " + e.getKey() + " needs it)");
        }
        String refused = annotation ? null : AlertRouter.refusedLabelValue(key, v);
        if (refused != null) {
          return new AlertRouter.Routed.Unroutable(
              name, refused + " (route context " + e.getKey() + ")");
        }
        m.appendReplacement(value, Matcher.quoteReplacement(v == null ? "" : v));
      }
      m.appendTail(value);
      try {
        context.set(e.getKey(), converted(e.getKey(), value.toString()));
      } catch (IllegalArgumentException wrong) {
        return new AlertRouter.Routed.Unroutable(name, "route context " + wrong.getMessage());
      }
    }
    RunbookRequest request;
    try {
      RunbookRequest checked =
          RunbookDoor.request(folder, definition.id(), context, false, List.of(), null);
      request =
          new RunbookRequest(
              checked.runbook(), checked.context(), false, List.of(), checked.by(), severity);
    } catch (RunbookDoor.Refused refused) {
      return new AlertRouter.Routed.Unroutable(name, refused.getMessage());
    }
    return new AlertRouter.Routed.Runbook(
        request, RunbookNames.workflowId(definition.id(), ALERT_KEY + problem(context)), notice);
  }

  /**
   * The value for {@code key}: a number or boolean where the runbook declares the variable as one
   * (expressions compare it as one), else the string.
   *
   * @throws IllegalArgumentException naming the key when the value is not of that kind
   */
  private JsonNode converted(String key, String value) {
    Object declared = definition.variables().get(key);
    if (declared instanceof Number) {
      JsonNode number = parsed(value);
      if (number == null || !number.isNumber()) {
        throw new IllegalArgumentException(
            key
                + ": runbook "
                + definition.id()
                + "'s variable "
                + key
                + " is a number, got "
                + Printable.quoted(value));
      }
      return number;
    }
    if (declared instanceof Boolean) {
      if (!value.equals("true") && !value.equals("false")) {
        throw new IllegalArgumentException(
            key
                + ": runbook "
                + definition.id()
                + "'s variable "
                + key
                + " is a boolean (true or false), got "
                + Printable.quoted(value));
      }
      return JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(value));
    }
    return JSON.getNodeFactory().textNode(value);
  }

  private static JsonNode parsed(String value) {
    try {
      return JSON.readTree(value);
    } catch (java.io.IOException notJson) {
      return null;
    }
  }

  /** 16 hex digits of the SHA-256 of the context with its keys sorted: the same context, one ID. */
  static String problem(ObjectNode context) {
    Map<String, JsonNode> sorted = new TreeMap<>();
    context.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
    try {
      byte[] canonical = JSON.writeValueAsString(sorted).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical))
          .substring(0, 16);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a runbook's context", e);
    }
  }
}
