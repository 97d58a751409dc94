package dev.opsflow.activities.postgres;

import dev.opsflow.activities.InvalidNameException;
import java.nio.charset.StandardCharsets;

/**
 * What a PostgreSQL database name may be, checked before it reaches the server: at most 63 bytes
 * (NAMEDATALEN - 1; PostgreSQL would silently truncate a longer one and so match another database)
 * and no NUL or other control character; and what a cluster member's name may be. JDK only.
 */
public final class PostgresNames {
  /** NAMEDATALEN - 1 in a default build. */
  public static final int MAX_BYTES = 63;

  private static final java.util.regex.Pattern MEMBER =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private PostgresNames() {}

  /**
   * The name of a cluster member as the worker's configuration knows it (a failover's primary or
   * candidate): a DNS label, 1-63 lower-case letters, digits and '-', as the pod that runs it is
   * usually named.
   */
  public static String member(String field, String value) {
    if (value == null || !MEMBER.matcher(value).matches()) {
      throw new InvalidNameException(
          field,
          value,
          "a member name is 1-63 lower-case letters, digits or '-', starting and ending with a"
              + " letter or digit");
    }
    return value;
  }

  /** A database name. */
  public static String database(String field, String value) {
    if (value == null
        || value.isEmpty()
        || value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES
        || value.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidNameException(
          field,
          value,
          "a PostgreSQL database name is 1-" + MAX_BYTES + " bytes without control characters");
    }
    return value;
  }
}
