package dev.opsflow.contracts.runbook;

/**
 * How runbook executions are named. A runbook may run several times at once (once per service, per
 * alert), so the workflow ID is the runbook's id plus a key the caller chooses: the same key twice
 * is refused by Temporal while the first run lives, which makes a retried start start nothing.
 */
public final class RunbookNames {
  /** Workflow IDs of runbook executions start with this. */
  public static final String ID_PREFIX = "runbook-";

  /** Between the runbook's id and the key in a dry run's workflow ID. */
  public static final String DRY_RUN_MARK = "dry-run-";

  /** The tag that makes a runbook page on start and resolve the page on success. */
  public static final String CRITICAL_TAG = "critical";

  private RunbookNames() {}

  /**
   * {@code runbook-<runbookId>-<key>}, e.g. {@code runbook-high-error-rate-20261202T0800Z}.
   *
   * @param key what tells this run from the runbook's other runs (an alert's fingerprint, a
   *     timestamp, a UUID); must not be blank
   */
  public static String workflowId(String runbookId, String key) {
    if (runbookId == null || runbookId.isBlank() || key == null || key.isBlank()) {
      throw new IllegalArgumentException("a runbook execution needs a runbook id and a key");
    }
    return ID_PREFIX + runbookId + "-" + key;
  }

  /** {@code runbook-<runbookId>-dry-run-<key>}: a dry run never shares an ID with a real run. */
  public static String dryRunWorkflowId(String runbookId, String key) {
    return workflowId(runbookId, DRY_RUN_MARK + key);
  }
}
