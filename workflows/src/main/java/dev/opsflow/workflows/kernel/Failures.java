package dev.opsflow.workflows.kernel;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;

/** Turns what went wrong into the sentence a human reads. */
public final class Failures {
  private Failures() {}

  /** The innermost message: the activity's own error, not Temporal's wrapper. */
  public static String reason(Throwable e) {
    if (e == null) {
      return "unknown failure";
    }
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getOriginalMessage() + " [" + af.getType() + "]";
    }
    if (t instanceof TimeoutFailure tf) {
      return "timed out (" + tf.getTimeoutType() + ")";
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
