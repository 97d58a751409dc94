package dev.opsflow.contracts.human;

import java.util.List;

/** What a gate waits for: the answer to "who may approve what, since when". */
public record ApprovalStatus(
    ApprovalResult state,
    String action,
    String requestedBy,
    List<String> approvers,
    int required,
    int approvals,
    long sinceMillis,
    long deadlineMillis,
    List<ApprovalRecord> decisions) {}
