package dev.opsflow.worker;

/** A port opsflow was asked to listen on is taken; the message says which and how to change it. */
public final class PortInUseException extends RuntimeException {
  public PortInUseException(String what, String host, int port, String option) {
    super(
        what
            + " cannot listen on "
            + host
            + ":"
            + port
            + ": the port is already in use (is another opsflow or Temporal dev server running?)."
            + " Stop it or choose another port with "
            + option
            + ".");
  }
}
