package dev.opsflow.config;

import java.util.Objects;

/**
 * A password or token. It prints as {@code ****} everywhere (logs, toString, error messages) so a
 * secret can be passed around in config records without leaking; only {@link #reveal()} hands out
 * the value, at the one place that sends it to the system that needs it.
 */
public final class Secret {
  private static final Secret EMPTY = new Secret("");
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    return value == null || value.isEmpty() ? EMPTY : new Secret(value);
  }

  public static Secret empty() {
    return EMPTY;
  }

  public boolean isPresent() {
    return !value.isEmpty();
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return isPresent() ? "****" : "(not set)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }
}
