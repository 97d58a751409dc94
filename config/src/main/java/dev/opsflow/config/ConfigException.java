package dev.opsflow.config;

/**
 * A configuration value is missing or out of range; the message names the key and what is allowed.
 */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super(key + ": " + message);
    this.key = key;
  }

  /** The dotted key (for example {@code healing.maxReplicas}) that is wrong. */
  public String key() {
    return key;
  }
}
