package dev.opsflow.contracts.remediation;

/** The blast-radius governor: one long-running workflow that admits remediations to act. */
public final class GovernorNames {
  public static final String WORKFLOW_TYPE = "BlastRadiusGovernor";
  public static final String WORKFLOW_ID = "opsflow-blast-radius-governor";
  public static final String REQUEST = "request";
  public static final String RELEASE = "release";
  public static final String ACTION_TAKEN = "actionTaken";
  public static final String LAST_ACTION = "lastAction";

  private GovernorNames() {}
}
