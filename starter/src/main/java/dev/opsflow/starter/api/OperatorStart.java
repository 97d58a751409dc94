package dev.opsflow.starter.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.activities.dispatch.TargetNames;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.remediation.RequestValidation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The door for a remediation a person starts (REST API, CLI): the JSON input becomes the same
 * {@link RemediationRequest} an alert becomes, checked before anything starts, so the run is
 * delivered by {@link dev.opsflow.activities.dispatch.RemediationDispatcher} on the problem's
 * workflow ID under the server's policy. What the caller may not choose is refused with the field
 * named: a {@code policy} (the server's), an {@code alert} (the door records the operator's own
 * notice), a {@code requestedBy} other than the caller (four-eyes). Every target field that names a
 * cluster object is checked as what it names, with the activities' own name rules.
 */
public final class OperatorStart {
  /** The notice source of a start by a person. */
  public static final String SOURCE = "operator";

  static final String POLICY_REFUSED =
      "policy: the safety policy is the server's (opsflow.yaml healing.* / procedures:); it cannot"
          + " be set per run";
  static final String ALERT_REFUSED =
      "alert: an operator start records its own notice (source operator, the caller, now); leave"
          + " it out";

  /** Strict: a misspelt field ({@code namspace}) is refused, not silently empty. */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /** Like {@link #STRICT}, with absent flags and counts at their defaults. */
  private static final ObjectMapper PARTIAL =
      ((JsonMapper) STRICT)
          .rebuild()
          .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private OperatorStart() {}

  /** The input could not be a remediation request: every problem, each naming its field. */
  public static final class Refused extends RuntimeException {
    private final List<String> problems;

    Refused(List<String> problems) {
      super(String.join("; ", problems), null, false, false);
      this.problems = List.copyOf(problems);
    }

    /** Each "field: reason", the field relative to the input ({@code target.namespace}). */
    public List<String> problems() {
      return problems;
    }

    /** The problems with each field prefixed, e.g. {@code context.} for the REST body. */
    public String describe(String fieldPrefix) {
      return problems.stream().map(p -> fieldPrefix + p).collect(Collectors.joining("; "));
    }
  }

  /**
   * Builds the request for a remediation of {@code procedure} that {@code caller} starts now.
   *
   * @param input the JSON input (null = {@code {}})
   * @param caller who starts it: the API caller, or the CLI's --by / login name
   * @param via how it was started, for the notice ("the REST API", "the opsflow CLI")
   * @throws Refused naming every bad field, before anything is started
   */
  public static RemediationRequest request(
      String procedure, JsonNode input, String caller, String via, Instant now) {
    Objects.requireNonNull(caller, "caller");
    if (input != null && !input.isNull() && !input.isObject()) {
      throw new Refused(List.of("input: must be a JSON object (procedure, target, severity)"));
    }
    ObjectNode fields =
        input == null || input.isNull()
            ? STRICT.createObjectNode()
            : ((ObjectNode) input).deepCopy();
    List<String> problems = new ArrayList<>();
    if (present(fields, "policy")) {
      problems.add(POLICY_REFUSED);
    }
    if (present(fields, "alert")) {
      problems.add(ALERT_REFUSED);
    }
    if (fields.has("carried")) {
      problems.add(
          "carried: the state a run hands on when it continues as new; a start may not bring one");
    }
    fields.remove("carried");
    JsonNode requestedBy = fields.get("requestedBy");
    if (present(fields, "requestedBy") && !caller.equals(requestedBy.asText())) {
      problems.add(
          "requestedBy: opsflow records the caller ("
              + caller
              + ") as the requester; leave it out");
    }
    fields.remove(List.of("policy", "alert", "requestedBy"));
    JsonNode run = fields.get("run");
    if (run != null && run.isObject()) {
      // The envelope may be given whole; its notice and requester are still the door's.
      if (present(run, "alert")) {
        problems.add("run." + ALERT_REFUSED);
      }
      if (present(run, "requestedBy") && !caller.equals(run.get("requestedBy").asText())) {
        problems.add("run.requestedBy: opsflow records the caller (" + caller + "); leave it out");
      }
      if (present(fields, "severity")) {
        problems.add("severity: given twice (flat and in run); give it once");
      }
      ((ObjectNode) run).remove(List.of("alert", "requestedBy"));
    }
    HumanPolicy human = null;
    if (run != null && run.isObject() && present(run, "human")) {
      // A partial human policy is fine (an approval alone); its fields are still checked.
      try {
        human = PARTIAL.treeToValue(run.get("human"), HumanPolicy.class);
      } catch (JsonMappingException e) {
        String at = path(e);
        problems.add(
            "run.human"
                + (at.equals("input") ? "" : "." + at)
                + ": "
                + e.getOriginalMessage().split("\n")[0]);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        problems.add("run.human: " + e.getOriginalMessage());
      }
      ((ObjectNode) run).remove("human");
    }
    if (!present(fields, "procedure")) {
      fields.put("procedure", procedure);
    }
    RemediationRequest parsed = null;
    try {
      parsed = STRICT.treeToValue(fields, RemediationRequest.class);
    } catch (UnrecognizedPropertyException e) {
      problems.add(
          path(e)
              + ": unknown field; expected one of "
              + e.getKnownPropertyIds().stream()
                  .map(String::valueOf)
                  .filter(
                      f -> !f.equals("policy") && !f.equals("alert") && !f.equals("requestedBy"))
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      problems.add(path(e) + ": " + e.getOriginalMessage().split("\n")[0]);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      problems.add("input: " + e.getOriginalMessage());
    }
    if (parsed != null) {
      problems.addAll(RequestValidation.problems(procedure, parsed));
      problems.addAll(TargetNames.problems(parsed.target()));
      problems.addAll(unusedTargetFields(procedure, fields.get("target")));
    }
    if (!problems.isEmpty()) {
      throw new Refused(problems);
    }
    return new RemediationRequest(
        parsed.procedure(),
        parsed.target(),
        new RunEnvelope(parsed.severity(), notice(procedure, caller, via, now), caller, human),
        parsed.limits(),
        null);
  }

  /** A target field the procedure's target does not have is refused, never dropped. */
  private static List<String> unusedTargetFields(String procedure, JsonNode target) {
    if (target == null || !target.isObject()) {
      return List.of();
    }
    Map<String, String> given = new java.util.LinkedHashMap<>();
    target
        .fields()
        .forEachRemaining(
            e -> given.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    return Target.unusedFields(procedure, given).stream()
        .map(
            f ->
                "target."
                    + f
                    + ": not a field of "
                    + procedure
                    + "'s target (it has "
                    + String.join(", ", Target.fieldsOf(procedure))
                    + ")")
        .toList();
  }

  /**
   * The notice of an operator start: its own source, a fingerprint per caller and the moment as its
   * episode, so a second start by the same person in the same second is a resend and one by someone
   * else (or later) a new episode of the same problem, in the same run.
   */
  static AlertNotice notice(String procedure, String caller, String via, Instant now) {
    return new AlertNotice(
        procedure,
        AlertNotice.FIRING,
        SOURCE + ":" + caller,
        now.truncatedTo(ChronoUnit.SECONDS).toString(),
        Map.of("alertname", procedure, "requestedBy", caller),
        Map.of("summary", "started by " + caller + " via " + via),
        SOURCE);
  }

  private static boolean present(JsonNode fields, String name) {
    JsonNode v = fields.get(name);
    return v != null && !v.isNull();
  }

  private static String path(JsonMappingException e) {
    String path =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    return path.isEmpty() ? "input" : path;
  }
}
