package dev.opsflow.cli;

/** The operator typed something wrong; the message names the option or argument. */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }
}
