package dev.opsflow.workflows.remediation;

import dev.opsflow.config.Severities;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * What a remediation's input must name before the run does anything: a start with missing fields
 * (`{}`, no target) or an unknown severity fails at once with every bad field named, instead of a
 * null-pointer error retried forever. The starters check the same rules at the door.
 */
public final class RequestValidation {
  /** The failure type of a refused input. */
  public static final String INVALID_INPUT = "InvalidInput";

  private RequestValidation() {}

  /** Every problem with {@code request} for a run of {@code workflowType}; empty when valid. */
  public static List<String> problems(String workflowType, RemediationRequest request) {
    List<String> problems = new ArrayList<>();
    if (request == null) {
      return List.of("input: required (procedure, target, severity)");
    }
    if (request.procedure() == null || request.procedure().isBlank()) {
      problems.add("procedure: required (the workflow type, e.g. " + workflowType + ")");
    } else if (!request.procedure().equals(workflowType)) {
      problems.add(
          "procedure: '"
              + request.procedure()
              + "' does not match the workflow type "
              + workflowType);
    }
    if (request.severity() == null || !Severities.ALL.contains(request.severity())) {
      problems.add(
          "severity: expected one of " + Severities.ALL + ", got '" + request.severity() + "'");
    }
    Target target = request.target();
    for (String field : required(workflowType)) {
      if (field(target, field).isEmpty()) {
        problems.add("target." + field + ": required for " + workflowType);
      }
    }
    if (workflowType.equals("DiskPressureRemediation")
        && field(target, "deployment").isEmpty()
        && field(target, "podSelector").isEmpty()) {
      problems.add("target.deployment or target.podSelector: required for " + workflowType);
    }
    return problems;
  }

  /** Fails the run at once, naming every bad field, when the input is not valid. */
  public static void require(String workflowType, RemediationRequest request) {
    List<String> problems = problems(workflowType, request);
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "invalid input: " + String.join("; ", problems), INVALID_INPUT);
    }
  }

  private static List<String> required(String workflowType) {
    return switch (workflowType) {
      case "KafkaLagRemediation" -> List.of("namespace", "deployment", "consumerGroup");
      case "OomRemediation", "CrashLoopRemediation" -> List.of("namespace", "deployment");
      case "DiskPressureRemediation" -> List.of("namespace");
      default -> List.of();
    };
  }

  private static String field(Target target, String name) {
    return target.fields().getOrDefault(name, "");
  }
}
