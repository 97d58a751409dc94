package dev.opsflow.sandbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.sandbox.postgres.PostgresPair.Member;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PostgresPairIT {

  @Test
  void rowWrittenOnThePrimaryIsReplayedOnTheStreamingReplica() throws Exception {
    Path home;
    try (PostgresPair pair = PostgresPair.start()) {
      home = pair.home();
      assertThat(pair.primaryUrl()).isNotEqualTo(pair.replicaUrl());
      assertThat(query(pair, Member.PRIMARY, "SELECT pg_is_in_recovery()::text"))
          .isEqualTo("false");
      assertThat(query(pair, Member.REPLICA, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
      assertThat(query(pair, Member.REPLICA, "SELECT status FROM pg_stat_wal_receiver"))
          .isEqualTo("streaming");

      execute(pair, Member.PRIMARY, "CREATE TABLE orders (id int PRIMARY KEY, item text)");
      execute(pair, Member.PRIMARY, "INSERT INTO orders VALUES (42, 'written on the primary')");

      assertThat(awaitOnReplica(pair, "SELECT item FROM orders WHERE id = 42"))
          .isEqualTo("written on the primary");
      assertThatThrownBy(() -> execute(pair, Member.REPLICA, "INSERT INTO orders VALUES (1, 'x')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("read-only transaction");
      assertThat(
              query(
                  pair,
                  Member.REPLICA,
                  "SELECT count(*)::text FROM pg_roles WHERE rolname = 'app'"))
          .as("the app role came with the base backup")
          .isEqualTo("1");
    }
    assertThat(home).doesNotExist();
  }

  @Test
  void killedPrimaryRefusesConnectionsWhileTheReplicaStaysUpInRecovery() throws Exception {
    try (PostgresPair pair = PostgresPair.start()) {
      pair.kill(Member.PRIMARY);

      assertThat(pair.isRunning(Member.PRIMARY)).isFalse();
      assertThatThrownBy(() -> query(pair, Member.PRIMARY, "SELECT 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("refused");
      assertThat(query(pair, Member.REPLICA, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
    }
  }

  @Test
  void stoppedReplicaRefusesConnectionsAndThePrimaryKeepsTakingWrites() throws Exception {
    try (PostgresPair pair = PostgresPair.start()) {
      pair.stop(Member.REPLICA);

      assertThatThrownBy(() -> query(pair, Member.REPLICA, "SELECT 1"))
          .isInstanceOf(SQLException.class);
      execute(pair, Member.PRIMARY, "CREATE TABLE t (id int)");
      assertThat(query(pair, Member.PRIMARY, "SELECT count(*)::text FROM t")).isEqualTo("0");
    }
  }

  private static String awaitOnReplica(PostgresPair pair, String sql) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        String value = query(pair, Member.REPLICA, sql);
        if (value != null) {
          return value;
        }
      } catch (SQLException e) {
        // 42P01: the table's creation has not been replayed yet.
        if (!"42P01".equals(e.getSQLState()) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      Thread.sleep(50);
    }
  }

  private static String query(PostgresPair pair, Member member, String sql) throws SQLException {
    try (Connection connection = pair.dataSource(member).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void execute(PostgresPair pair, Member member, String sql) throws SQLException {
    try (Connection connection = pair.dataSource(member).getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
