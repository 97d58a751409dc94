package dev.opsflow.workflows.kernel;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;

/** Turns what went wrong into the sentence a human reads. */
public final class Failures {
  private Failures() {}

  /**
   * The activity's own error, not Temporal's wrapper: the outermost {@link ApplicationFailure} (its
   * message says what the activity was doing, its type which system failed, e.g. {@code
   * KubernetesUnavailable}), else a timeout, else the innermost message. Not the innermost cause:
   * an activity attaches the client's exception as its cause, and that is often a bare {@code
   * ClosedChannelException} that names neither the system nor the call.
   */
  public static String reason(Throwable e) {
    if (e == null) {
      return "unknown failure";
    }
    ApplicationFailure own = activityError(e);
    String error = own == null ? null : own.getOriginalMessage() + " [" + own.getType() + "]";
    Throwable t = e;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof TimeoutFailure tf) {
        // Retries that ran out of time: the timeout, and the last attempt's error when there was
        // one.
        return "timed out (" + tf.getTimeoutType() + ")" + (error == null ? "" : ": " + error);
      }
      if (c == own) {
        return error;
      }
      t = c;
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The outermost {@link ApplicationFailure} in {@code e}'s causes, or null. */
  public static ApplicationFailure activityError(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure af) {
        return af;
      }
    }
    return null;
  }
}
