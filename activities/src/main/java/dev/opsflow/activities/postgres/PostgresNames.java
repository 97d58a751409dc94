package dev.opsflow.activities.postgres;

import dev.opsflow.activities.InvalidNameException;
import java.nio.charset.StandardCharsets;

/**
 * What a PostgreSQL database name may be, checked before it reaches the server: at most 63 bytes
 * (NAMEDATALEN - 1; PostgreSQL would silently truncate a longer one and so match another database)
 * and no NUL or other control character. JDK only.
 */
public final class PostgresNames {
  /** NAMEDATALEN - 1 in a default build. */
  public static final int MAX_BYTES = 63;

  private PostgresNames() {}

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
