package dev.opsflow.sandbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxPostgresIT {

  @Test
  void holdsIdleApplicationConnectionsNearTheLimitAndDeletesItsDataOnClose() throws Exception {
    Path home;
    List<Connection> idle;
    try (SandboxPostgres postgres = SandboxPostgres.start(130)) {
      home = postgres.dataDirectory();
      assertThat(home.resolve("data").resolve("PG_VERSION")).isRegularFile();
      assertThat(postgres.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");

      idle = postgres.openIdleConnections(110, "leaky-pool");

      try (Connection admin =
              DriverManager.getConnection(
                  postgres.jdbcUrl(), postgres.user(), postgres.password());
          PreparedStatement query =
              admin.prepareStatement(
                  "SELECT count(*), count(*) FILTER (WHERE state = 'idle'),"
                      + " count(DISTINCT usename), current_setting('max_connections')"
                      + " FROM pg_stat_activity WHERE application_name = ?")) {
        query.setString(1, "leaky-pool");
        try (ResultSet rs = query.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(110);
          assertThat(rs.getInt(2)).isEqualTo(110);
          assertThat(rs.getInt(3)).isEqualTo(1);
          assertThat(rs.getString(4)).isEqualTo("130");
        }
        try (PreparedStatement role =
            admin.prepareStatement(
                "SELECT DISTINCT r.rolsuper FROM pg_stat_activity a"
                    + " JOIN pg_roles r ON r.oid = a.usesysid WHERE a.application_name = ?")) {
          role.setString(1, "leaky-pool");
          try (ResultSet rs = role.executeQuery()) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("idle sessions are not superuser sessions").isFalse();
          }
        }
      }
    }
    assertThat(home).doesNotExist();
    assertThat(idle).allSatisfy(c -> assertThat(c.isClosed()).isTrue());
  }

  @Test
  void refusesConnectionsBeyondMaxConnections() {
    try (SandboxPostgres postgres = SandboxPostgres.start(10)) {
      // 10 minus 3 reserved for superusers.
      postgres.openIdleConnections(7, "fill");

      try {
        postgres.openIdleConnections(1, "one-too-many");
        throw new AssertionError("the eighth ordinary connection was accepted");
      } catch (IllegalStateException e) {
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
        assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("53300");
      }
    }
  }
}
