package dev.opsflow.contracts.remediation;

/** Names shared by the remediation workflows and everything that starts or signals them. */
public final class RemediationSignals {
  /** A firing notification for the problem (the first one also starts the workflow). */
  public static final String ALERT_FIRED = "alertFired";

  /**
   * Several firing notices for the problem in one signal: the webhook sends every notice of a
   * notification (and of notifications arriving together) for one problem this way, so a storm of
   * per-pod alerts costs one history event per batch instead of one per alert.
   */
  public static final String NOTICES_FIRED = "noticesFired";

  /** The problem's alert resolved: a remediation that has not acted yet stands down. */
  public static final String ALERT_RESOLVED = "alertResolved";

  /** The blast-radius governor admits the remediation to act. */
  public static final String ADMITTED = "admitted";

  /** The status query every remediation answers. */
  public static final String STATUS = "status";

  private RemediationSignals() {}
}
