package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.InvalidNameException;
import org.junit.jupiter.api.Test;

class PostgresNamesTest {
  @Test
  void acceptsAnyPrintableNameOfAtMost63Bytes() {
    assertThat(PostgresNames.database("database", "orders")).isEqualTo("orders");
    assertThat(PostgresNames.database("database", "Orders DB-2")).isEqualTo("Orders DB-2");
    assertThat(PostgresNames.database("database", "d".repeat(63))).hasSize(63);
  }

  @Test
  void countsBytesNotCharacters() {
    // 32 two-byte characters are 64 bytes: PostgreSQL would truncate the name to another one.
    String accented = "\u00e9".repeat(32);
    assertThatThrownBy(() -> PostgresNames.database("database", accented))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("1-63 bytes");
    assertThat(PostgresNames.database("database", "\u00e9".repeat(31))).hasSize(31);
  }

  @Test
  void refusesEmptyTooLongNulAndControlCharacters() {
    assertThatThrownBy(() -> PostgresNames.database("database", ""))
        .hasMessageStartingWith("database ''");
    assertThatThrownBy(() -> PostgresNames.database("database", "d".repeat(64)))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> PostgresNames.database("database", "orders\u0000"))
        .hasMessageStartingWith("database 'orders\\u0000'");
    assertThatThrownBy(() -> PostgresNames.database("database", "orders\nx"))
        .isInstanceOf(InvalidNameException.class);
  }
}
