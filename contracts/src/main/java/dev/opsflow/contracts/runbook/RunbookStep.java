package dev.opsflow.contracts.runbook;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/**
 * One step of a runbook; its {@code type} in the YAML names the kind. A step names where the run
 * goes next ({@link #transitions()}): most kinds by {@code onSuccess} / {@code onFailure}, a
 * decision by its branches. A step without a next step for an outcome ends the run (or, inside a
 * loop body or a parallel branch, that body or branch) with that outcome.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CheckStep.class, name = "check"),
  @JsonSubTypes.Type(value = ActionStep.class, name = "action"),
  @JsonSubTypes.Type(value = DecisionStep.class, name = "decision"),
  @JsonSubTypes.Type(value = NotifyStep.class, name = "notify"),
  @JsonSubTypes.Type(value = WaitStep.class, name = "wait"),
  @JsonSubTypes.Type(value = ApprovalStep.class, name = "approval"),
  @JsonSubTypes.Type(value = ParallelStep.class, name = "parallel"),
  @JsonSubTypes.Type(value = LoopStep.class, name = "loop")
})
public sealed interface RunbookStep
    permits CheckStep,
        ActionStep,
        DecisionStep,
        NotifyStep,
        WaitStep,
        ApprovalStep,
        ParallelStep,
        LoopStep {
  /** Unique within the runbook; later steps read this step's result as {@code steps.ID.result}. */
  String id();

  String description();

  /**
   * Every step id this step can hand over to, keyed by the field that names it ({@code onSuccess},
   * {@code branches[1].next}, {@code body}), in the order of the fields. Steps a loop or a parallel
   * step runs as its body or branches are included: they are reached through it.
   */
  @JsonIgnore
  Map<String, String> transitions();
}
