package dev.opsflow.workflows.human;

import java.util.List;

/** What a gate waits for: the answer to "who may approve what, since when". */
public record ApprovalStatus(
    ApprovalGate.Result state,
    String action,
    String requestedBy,
    List<String> approvers,
    int required,
    int approvals,
    long sinceMillis,
    long deadlineMillis,
    List<ApprovalRecord> decisions) {}
