package dev.opsflow.contracts.human;

/** Where an approval stands. */
public enum ApprovalResult {
  PENDING,
  APPROVED,
  REJECTED,
  /** Nobody decided in time and the policy says to hand over to the next level. */
  ESCALATE
}
