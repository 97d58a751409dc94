package dev.opsflow.contracts.remediation;

import dev.opsflow.contracts.human.ActionRecord;
import java.util.List;

/** The result of a remediation run: how it ended, why, and what it did. */
public record RemediationOutcome(
    RemediationStatus.Phase result,
    String detail,
    List<ActionRecord> actions,
    List<String> escalations) {}
