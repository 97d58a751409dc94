package dev.opsflow.starter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.contracts.run.OneRunDoor;
import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookStep;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import io.temporal.client.WorkflowClient;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one way a runbook as data is started, by the REST API, the CLI and an alert route: the
 * runbook is one the server loaded and validated at start ({@link RunbookFolder}), its definition
 * is pinned into the run's input (content and hash, {@link PinnedRunbook}), the input is checked
 * first (a refusal names the field, and nothing starts), and the run starts as {@link
 * RunbookWorkflow} on {@link RunbookNames#workflowId}; while a run lives on that ID a second start
 * is answered with it instead of starting beside it.
 */
public final class RunbookDoor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter KEY_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private RunbookDoor() {}

  /** Bad input for a runbook: {@link #field()} names what to fix. */
  public static final class Refused extends RuntimeException {
    private final String field;

    Refused(String field, String message) {
      super(field + ": " + message, null, false, false);
      this.field = field;
    }

    /** The field at fault, e.g. {@code runbookId}, {@code context.replicas}. */
    public String field() {
      return field;
    }
  }

  /**
   * The request for one run of {@code runbookId}, checked.
   *
   * @param context the run's input: a JSON object, or null for none
   * @param simulateFailures test mode's steps; each must be a step of the runbook
   * @param by who asks
   * @throws Refused naming {@code runbookId}, {@code context...} or {@code simulateFailures[i]}
   */
  public static RunbookRequest request(
      RunbookFolder folder,
      String runbookId,
      JsonNode context,
      boolean dryRun,
      List<String> simulateFailures,
      String by) {
    PinnedRunbook runbook =
        folder
            .runbook(runbookId)
            .orElseThrow(
                () ->
                    new Refused(
                        "runbookId",
                        "unknown runbook '"
                            + runbookId
                            + "'; known: "
                            + (folder.runbooks().isEmpty()
                                ? "(none)"
                                : String.join(", ", folder.runbooks().keySet()))));
    RunbookDefinition definition = runbook.definition();
    Map<String, Object> input = context(definition, RunbookInputs.of(runbook), context);
    List<String> failures = simulateFailures == null ? List.of() : simulateFailures;
    for (int i = 0; i < failures.size(); i++) {
      String step = failures.get(i);
      if (definition.step(step) == null) {
        throw new Refused(
            "simulateFailures[" + i + "]",
            "no step '"
                + step
                + "' in runbook "
                + definition.id()
                + "; its steps: "
                + String.join(", ", definition.steps().stream().map(RunbookStep::id).toList()));
      }
    }
    return new RunbookRequest(runbook, input, dryRun, failures, by, null);
  }

  /**
   * A JSON object; a key named like a declared variable must have the kind of its default (a number
   * for a number, a list for a list), since expressions compare it as one; and a request without an
   * input the runbook reads and gives no default for ({@link RunbookInputs}) is refused: that run
   * would fail at its first step that reads it. Other keys are kept (a route's {@code summary}, for
   * the human reading the run).
   */
  private static Map<String, Object> context(
      RunbookDefinition definition, RunbookInputs inputs, JsonNode context) {
    if (context != null && !context.isNull() && !context.isObject()) {
      throw new Refused("context", "must be a JSON object (the runbook's input)");
    }
    if (context != null && !context.isNull()) {
      checkKinds(definition, context);
    }
    for (String name : inputs.required()) {
      JsonNode given = context == null ? null : context.get(name);
      if (given == null || given.isNull()) {
        throw new Refused(
            "context." + name,
            "required: runbook "
                + definition.id()
                + " reads input."
                + name
                + " and declares no default for it");
      }
    }
    if (context == null || context.isNull()) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> input = JSON.convertValue(context, LinkedHashMap.class);
    return input;
  }

  /** Each key named like a declared variable of that variable's kind. */
  private static void checkKinds(RunbookDefinition definition, JsonNode context) {
    for (var it = context.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      Object declared = definition.variables().get(field.getKey());
      String expected = kind(declared);
      String given = kind(field.getValue());
      if (declared != null && !field.getValue().isNull() && !expected.equals(given)) {
        throw new Refused(
            "context." + field.getKey(),
            "the runbook's variable "
                + field.getKey()
                + " is a "
                + expected
                + " (default "
                + declared
                + "), got a "
                + given);
      }
    }
  }

  private static String kind(Object value) {
    if (value instanceof JsonNode node) {
      return node.isNumber()
          ? "number"
          : node.isBoolean()
              ? "boolean"
              : node.isTextual() ? "string" : node.isArray() ? "list" : "mapping";
    }
    return value instanceof Number
        ? "number"
        : value instanceof Boolean
            ? "boolean"
            : value instanceof String ? "string" : value instanceof List ? "list" : "mapping";
  }

  /**
   * The workflow ID for this request: {@code workflowId} when the caller chose one (it must be this
   * runbook's, {@code runbook-<id>-<key>}, and a dry run's must carry the dry-run mark), else a new
   * key from the time and a random part.
   */
  public static String workflowId(RunbookRequest request, String workflowId) {
    return workflowId(request, workflowId, null);
  }

  /**
   * The same, with {@code key} (when not null) as the key of a workflow ID the caller did not
   * choose, instead of the time and a random part: the same on each retry of one request.
   */
  public static String workflowId(RunbookRequest request, String workflowId, String key) {
    String id = request.runbook().definition().id();
    if (workflowId == null) {
      if (key == null) {
        key =
            ZonedDateTime.now(ZoneOffset.UTC).format(KEY_TIME)
                + "-"
                + UUID.randomUUID().toString().substring(0, 4);
      }
      return request.dryRun()
          ? RunbookNames.dryRunWorkflowId(id, key)
          : RunbookNames.workflowId(id, key);
    }
    String prefix =
        request.dryRun()
            ? RunbookNames.ID_PREFIX + id + "-" + RunbookNames.DRY_RUN_MARK
            : RunbookNames.ID_PREFIX + id + "-";
    if (workflowId.length() <= prefix.length()
        || !workflowId.startsWith(prefix)
        || workflowId.length() > 200
        || (!request.dryRun()
            && workflowId.startsWith(
                RunbookNames.ID_PREFIX + id + "-" + RunbookNames.DRY_RUN_MARK))) {
      throw new Refused(
          "workflowId",
          "a run of runbook "
              + id
              + " is named "
              + prefix
              + "<key> (at most 200 characters"
              + (request.dryRun() ? "" : "; the dry-run mark is for dry runs")
              + "), got '"
              + workflowId
              + "'");
    }
    return workflowId;
  }

  /** Starts the run, or answers with the one already on {@code workflowId}. */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, String workflowId, RunbookRequest request) {
    return start(client, taskQueue, workflowId, request, null);
  }

  /**
   * The same under {@code requestId} (a REST caller's idempotency key, see {@link IdempotencyKey}).
   */
  public static RunStarted start(
      WorkflowClient client,
      String taskQueue,
      String workflowId,
      RunbookRequest request,
      String requestId) {
    return OneRunDoor.start(
        client, taskQueue, workflowId, RunbookWorkflow.TYPE, request, requestId);
  }

  /** The runbook's id a workflow ID belongs to, among {@code folder}'s (the longest match). */
  public static String runbookOf(String workflowId, RunbookFolder folder) {
    String best = null;
    for (String id : folder.runbooks().keySet()) {
      if (workflowId.startsWith(RunbookNames.ID_PREFIX + id + "-")
          && (best == null || id.length() > best.length())) {
        best = id;
      }
    }
    return best;
  }

  /** Splits {@code a,b} (the CLI's and an alert route's form) into step ids, blanks dropped. */
  public static List<String> steps(String commaSeparated) {
    List<String> steps = new ArrayList<>();
    if (commaSeparated != null) {
      for (String s : commaSeparated.split(",")) {
        if (!s.isBlank()) {
          steps.add(s.strip());
        }
      }
    }
    return steps;
  }
}
