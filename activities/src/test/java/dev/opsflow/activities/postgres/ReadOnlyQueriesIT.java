package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.Secret;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL a runbook may run, against a real PostgreSQL: a probe's query reads only (the server
 * refuses a write, even one hidden in a function), its values are bound and never spliced, at most
 * {@link ReadOnlyQueries#MAX_ROWS} rows come back; the cancellation of slow queries picks client
 * queries slower than asked, never DDL, never a superuser's session, never its own.
 */
class ReadOnlyQueriesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static SandboxPostgres postgres;
  private static ReadOnlyQueries queries;

  @BeforeAll
  static void start() throws SQLException {
    postgres = SandboxPostgres.start();
    queries =
        new ReadOnlyQueries(
            new PostgresConnector(
                postgres.jdbcUrl(), postgres.user(), Secret.of(""), TIMEOUT, TIMEOUT));
    try (Connection admin = postgres.dataSource().getConnection();
        Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE probe_t (id int, name text)");
      s.execute("INSERT INTO probe_t VALUES (1, 'orders'), (2, 'billing')");
      s.execute("CREATE SEQUENCE probe_s");
      s.execute(
          "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql VOLATILE AS"
              + " 'INSERT INTO probe_t VALUES (3, ''sneaky'') RETURNING 1'");
      s.execute("GRANT SELECT ON probe_t TO " + postgres.appUser());
    }
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static long rows() throws SQLException {
    try (Connection admin = postgres.dataSource().getConnection();
        Statement s = admin.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM probe_t")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aQueryBindsItsValuesAndAnswersRowsAsJson() {
    List<Map<String, Object>> found =
        queries.query(
            "SELECT id, name, now() AS at FROM probe_t WHERE name = ? OR name = ? ORDER BY id",
            List.of("billing", "x' OR '1'='1"));
    assertThat(found).hasSize(1);
    assertThat(found.get(0)).containsEntry("id", 2).containsEntry("name", "billing");
    assertThat(found.get(0).get("at")).as("a timestamp as its text").isInstanceOf(String.class);
  }

  @Test
  void atMostMaxRowsComeBack() {
    assertThat(queries.query("SELECT generate_series(1, 500) AS i", List.of()))
        .hasSize(ReadOnlyQueries.MAX_ROWS);
  }

  @Test
  void aWriteIsRefusedByTheServerEvenInsideAFunction() throws SQLException {
    for (String write :
        List.of(
            "INSERT INTO probe_t VALUES (9, 'x') RETURNING id",
            "SELECT nextval('probe_s')",
            "SELECT sneaky()",
            "WITH gone AS (DELETE FROM probe_t RETURNING id) SELECT count(*) FROM gone")) {
      assertThatThrownBy(() -> queries.query(write, List.of()))
          .as(write)
          .isInstanceOfSatisfying(
              ApplicationFailure.class,
              f -> {
                assertThat(f.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
                assertThat(f.isNonRetryable()).isTrue();
                assertThat(f.getOriginalMessage())
                    .isEqualTo("postgres.query may only read: the query tried to write (25006)");
              });
    }
    assertThat(rows()).as("nothing was written").isEqualTo(2);
  }

  @Test
  void aBlankQueryIsRefusedBeforeConnecting() {
    assertThatThrownBy(() -> queries.query(" ", List.of()))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_INPUT));
  }

  @Test
  void slowQueriesAreCancelledButNeverDdlNorASuperusersNorItsOwn() throws Exception {
    List<Connection> sessions = new ArrayList<>();
    try {
      Connection app = postgres.dataSource(postgres.appUser()).getConnection();
      Connection appDdl = postgres.dataSource(postgres.appUser()).getConnection();
      Connection superuser = postgres.dataSource().getConnection();
      sessions.addAll(List.of(app, appDdl, superuser));
      int appPid = pid(app);
      CompletableFuture<String> slow = running(app, "SELECT pg_sleep(30)");
      CompletableFuture<String> ddl =
          running(appDdl, "CREATE TEMP TABLE slow_ddl AS SELECT pg_sleep(30)::text AS s");
      CompletableFuture<String> admin = running(superuser, "SELECT pg_sleep(30)");
      Thread.sleep(2_500);

      assertThat(queries.cancelSlowQueries(1, null, false))
          .as("only the app's plain query")
          .containsExactly(appPid);
      assertThat(slow.get(10, TimeUnit.SECONDS))
          .contains("canceling statement due to user request");
      assertThat(ddl).isNotDone();
      assertThat(admin).isNotDone();
      assertThat(queries.cancelSlowQueries(1, "nosuchdb", false)).as("another database").isEmpty();
      assertThatThrownBy(() -> queries.cancelSlowQueries(0, null, false))
          .isInstanceOfSatisfying(
              ApplicationFailure.class,
              f -> assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_INPUT));
    } finally {
      try (Connection cleanup = postgres.dataSource().getConnection();
          Statement s = cleanup.createStatement()) {
        s.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                + " AND query LIKE '%pg_sleep(30)%'");
      }
      for (Connection c : sessions) {
        c.close();
      }
    }
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** One thread per session: the common pool may have a single thread on a small machine. */
  private static final java.util.concurrent.ExecutorService SESSIONS =
      java.util.concurrent.Executors.newCachedThreadPool();

  /** Runs {@code sql} on its own thread; completes with the error it ended with, or "done". */
  private static CompletableFuture<String> running(Connection c, String sql) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
            return "done";
          } catch (SQLException e) {
            return e.getMessage();
          }
        },
        SESSIONS);
  }
}
