package dev.opsflow.contracts.runbook;

import static dev.opsflow.contracts.runbook.OperationParameter.optional;
import static dev.opsflow.contracts.runbook.OperationParameter.required;
import static dev.opsflow.contracts.runbook.ParameterType.BOOLEAN;
import static dev.opsflow.contracts.runbook.ParameterType.DURATION;
import static dev.opsflow.contracts.runbook.ParameterType.INTEGER;
import static dev.opsflow.contracts.runbook.ParameterType.STRING;
import static dev.opsflow.contracts.runbook.ParameterType.STRING_LIST;
import static dev.opsflow.contracts.runbook.ParameterType.STRING_MAP;
import static dev.opsflow.contracts.runbook.RunbookOperation.Kind.ACTION;
import static dev.opsflow.contracts.runbook.RunbookOperation.Kind.PROBE;

import java.util.List;
import java.util.Optional;

/**
 * Every probe and action a runbook may name, with its parameters: the one list the validator checks
 * steps against and the interpreter dispatches on, so a runbook that validates names only what the
 * interpreter can do. Adding an operation here is half the work; the interpreter must map it to an
 * activity.
 */
public final class RunbookCatalog {
  private static final List<RunbookOperation> OPERATIONS =
      List.of(
          probe(
              "http.probe",
              false,
              "GET (or METHOD) a URL; passes when the status is expectStatus (default 2xx)",
              required("url", STRING, "the URL"),
              optional("method", STRING, "GET or HEAD (default GET)"),
              optional("expectStatus", INTEGER, "the status that passes"),
              optional("headers", STRING_MAP, "request headers (no secrets: name them in config)")),
          probe(
              "prometheus.query",
              false,
              "a PromQL instant query; result is its value (a list for several series)",
              required("query", STRING, "PromQL")),
          probe(
              "postgres.query",
              false,
              "a read-only SQL query (run in a read-only transaction); result is its rows",
              required("sql", STRING, "one SELECT; values through {{ }} become bind parameters"),
              optional("database", STRING, "the database (default: the configured one)")),
          probe(
              "kubernetes.condition",
              false,
              "whether a resource's status condition holds (e.g. a Deployment is Available)",
              required("namespace", STRING, "the namespace"),
              required("kind", STRING, "Deployment, StatefulSet or Pod"),
              required("name", STRING, "the resource's name"),
              optional("condition", STRING, "the condition type (default Available / Ready)")),
          probe(
              "command.probe",
              true,
              "run a command that only reads; passes on exit code 0",
              required("command", STRING_LIST, "the program and its arguments, no shell"),
              optional("workingDirectory", STRING, "where it runs")),
          action(
              "kubernetes.scale",
              true,
              false,
              "set a Deployment's replicas (within the server's replica ceiling)",
              required("namespace", STRING, "the namespace"),
              required("deployment", STRING, "the Deployment"),
              required("replicas", INTEGER, "the replicas wanted"),
              optional(
                  "capAtCeiling",
                  BOOLEAN,
                  "ask for at most healing.maxReplicas instead of being refused above it"),
              optional("onlyUp", BOOLEAN, "never fewer replicas than now (a scale-out)")),
          action(
              "kubernetes.rolloutRestart",
              true,
              false,
              "restart a Deployment's pods by a rolling restart",
              required("namespace", STRING, "the namespace"),
              required("deployment", STRING, "the Deployment")),
          action(
              "kubernetes.raiseMemory",
              true,
              false,
              "raise a container's memory limit (and request) on a Deployment",
              required("namespace", STRING, "the namespace"),
              required("deployment", STRING, "the Deployment"),
              required("memoryLimit", STRING, "a quantity, e.g. 1Gi"),
              optional("container", STRING, "the container (default: the only one)"),
              optional("memoryRequest", STRING, "a quantity, at most the limit")),
          action(
              "postgres.terminateIdleSessions",
              true,
              false,
              "terminate sessions idle in transaction longer than idleLongerThan",
              required("idleLongerThan", DURATION, "how long idle"),
              optional("database", STRING, "only this database"),
              optional("includeSuperuserSessions", BOOLEAN, "default false")),
          action(
              "postgres.cancelSlowQueries",
              true,
              false,
              "cancel (or terminate) queries running longer than slowerThan; never DDL",
              required("slowerThan", DURATION, "the threshold"),
              optional("database", STRING, "only this database"),
              optional("terminate", BOOLEAN, "terminate the session instead of cancelling")),
          action(
              "kafka.readLag",
              false,
              false,
              "read a consumer group's lag; result has total and per-partition lag",
              required("groupId", STRING, "the consumer group"),
              optional("topic", STRING, "only this topic")),
          action(
              "http.call",
              true,
              false,
              "call an HTTP endpoint (reset a circuit breaker, clear a cache)",
              required("url", STRING, "the URL"),
              optional("method", STRING, "POST (default), PUT, DELETE, GET"),
              optional("body", STRING, "the request body"),
              optional("headers", STRING_MAP, "request headers (no secrets: name them in config)"),
              optional("expectStatus", INTEGER, "the status that succeeds (default 2xx)")),
          action(
              "featureFlag.setWeight",
              true,
              false,
              "set a feature flag's rollout percentage on a flag service of the server's"
                  + " featureFlags.services (its token is the server's), read back",
              required("service", STRING, "the flag service's name in featureFlags.services"),
              required("flag", STRING, "the flag's key"),
              required("percentage", INTEGER, "0-100")),
          action(
              "command.run",
              true,
              true,
              "run a command (no shell), where the server enables commands",
              required("command", STRING_LIST, "the program and its arguments"),
              optional("workingDirectory", STRING, "where it runs")));

  private RunbookCatalog() {}

  /** Every operation, probes first. */
  public static List<RunbookOperation> operations() {
    return OPERATIONS;
  }

  /** The operation with this name and kind. */
  public static Optional<RunbookOperation> find(RunbookOperation.Kind kind, String name) {
    return OPERATIONS.stream().filter(o -> o.kind() == kind && o.name().equals(name)).findFirst();
  }

  /** The names of every operation of this kind, for a message that lists what is known. */
  public static List<String> names(RunbookOperation.Kind kind) {
    return OPERATIONS.stream().filter(o -> o.kind() == kind).map(RunbookOperation::name).toList();
  }

  private static RunbookOperation probe(
      String name, boolean needsCommands, String description, OperationParameter... parameters) {
    return new RunbookOperation(
        name, PROBE, false, needsCommands, description, List.of(parameters));
  }

  private static RunbookOperation action(
      String name,
      boolean mutates,
      boolean needsCommands,
      String description,
      OperationParameter... parameters) {
    return new RunbookOperation(
        name, ACTION, mutates, needsCommands, description, List.of(parameters));
  }
}
