package dev.opsflow.contracts.remediation;

/** Names shared by the remediation workflows and everything that starts or signals them. */
public final class RemediationSignals {
  /** A firing notification for the problem (the first one also starts the workflow). */
  public static final String ALERT_FIRED = "alertFired";

  /** The problem's alert resolved: a remediation that has not acted yet stands down. */
  public static final String ALERT_RESOLVED = "alertResolved";

  /** The blast-radius governor admits the remediation to act. */
  public static final String ADMITTED = "admitted";

  /** The status query every remediation answers. */
  public static final String STATUS = "status";

  private RemediationSignals() {}
}
