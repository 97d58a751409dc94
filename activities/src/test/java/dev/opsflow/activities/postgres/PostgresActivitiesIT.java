package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.Secret;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real PostgreSQL server, started once for the class. */
class PostgresActivitiesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final String PASSWORD = "not-used-by-trust-but-must-not-leak";

  private static SandboxPostgres postgres;
  private static PostgresActivitiesImpl activities;

  private final List<Connection> opened = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    postgres = SandboxPostgres.start();
    activities = activitiesAs(postgres.user(), postgres.jdbcUrl());
  }

  @AfterAll
  static void stopServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void closeConnections() throws SQLException {
    for (Connection connection : opened) {
      connection.close();
    }
  }

  private static PostgresActivitiesImpl activitiesAs(String user, String url) {
    return new PostgresActivitiesImpl(
        new PostgresConnector(url, user, Secret.of(PASSWORD), TIMEOUT, TIMEOUT), details -> {});
  }

  private List<Connection> idle(int n, String applicationName) {
    List<Connection> connections = postgres.openIdleConnections(n, applicationName);
    opened.addAll(connections);
    return connections;
  }

  private Connection superuserSession(String applicationName) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", postgres.user());
    props.setProperty("ApplicationName", applicationName);
    Connection connection = new org.postgresql.Driver().connect(postgres.jdbcUrl(), props);
    opened.add(connection);
    return connection;
  }

  private static List<Integer> pidsOf(String applicationName) throws SQLException {
    try (Connection admin = postgres.dataSource().getConnection();
        PreparedStatement query =
            admin.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ? ORDER BY pid")) {
      query.setString(1, applicationName);
      List<Integer> pids = new ArrayList<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
      return pids;
    }
  }

  private static boolean alive(Connection connection) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static String show(String setting) throws SQLException {
    try (Connection fresh = postgres.dataSource(postgres.appUser()).getConnection();
        Statement statement = fresh.createStatement();
        ResultSet rs = statement.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void assertFailure(Throwable thrown, String type, boolean nonRetryable) {
    assertThat(thrown).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) thrown;
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    assertThat(failure.getOriginalMessage()).doesNotContain(PASSWORD);
  }

  @Test
  void terminatesOnlySessionsIdleLongerThanTheBound() throws Exception {
    List<Connection> old = idle(100, "leaky-pool");
    List<Integer> oldPids = pidsOf("leaky-pool");
    Connection operator = superuserSession("operator-psql");
    Thread.sleep(3_300);
    List<Connection> young = idle(5, "fresh-pool");
    TerminateIdleRequest request = new TerminateIdleRequest("act-1", 3, null, false, false);

    TerminateIdleResult dryRun =
        activities.terminateIdleSessions(new TerminateIdleRequest("act-0", 3, null, false, true));
    TerminateIdleResult first = activities.terminateIdleSessions(request);
    TerminateIdleResult second = activities.terminateIdleSessions(request);

    assertThat(oldPids).hasSize(100);
    assertThat(dryRun.terminated()).isZero();
    assertThat(dryRun.pids()).isEqualTo(oldPids);
    assertThat(first.terminated()).isEqualTo(100);
    assertThat(first.pids()).isEqualTo(oldPids);
    assertThat(first.skipped())
        .containsEntry(IdleSessionPolicy.OWN_SESSION, 1)
        .containsEntry(IdleSessionPolicy.SUPERUSER_SESSION, 1)
        .containsEntry(IdleSessionPolicy.IDLE_TOO_BRIEFLY, 5)
        .containsKey(IdleSessionPolicy.NOT_CLIENT_BACKEND);
    assertThat(pidsOf("leaky-pool")).isEmpty();
    assertThat(old).noneMatch(PostgresActivitiesIT::alive);
    assertThat(young).allMatch(PostgresActivitiesIT::alive);
    assertThat(alive(operator)).as("superuser session survives by default").isTrue();

    assertThat(second.terminated()).isZero();
    assertThat(second.pids()).isEmpty();
  }

  @Test
  void reportsConnectionUsageAsAShareOfMaxConnections() {
    ConnectionUsage before = activities.connectionUsage();
    idle(60, "usage-pool");

    ConnectionUsage after = activities.connectionUsage();

    assertThat(after.maxConnections()).isEqualTo(200);
    assertThat(after.superuserReserved()).isEqualTo(3);
    assertThat(after.total()).isEqualTo(before.total() + 60);
    assertThat(after.byState().get("idle"))
        .isEqualTo(before.byState().getOrDefault("idle", 0) + 60);
    assertThat(after.byState().get("active")).isGreaterThanOrEqualTo(1);
    assertThat(after.byState().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(after.total());
    assertThat(after.percentUsed()).isEqualTo(after.total() * 100.0 / 200);
    assertThat(after.percentUsed()).isGreaterThanOrEqualTo(30.5);
  }

  @Test
  void fencesAndUnfencesWritesForNewSessions() throws Exception {
    try {
      ReadOnlyFence on = activities.setDefaultReadOnly("fence-1", true);
      ReadOnlyFence onAgain = activities.setDefaultReadOnly("fence-1", true);

      assertThat(on).isEqualTo(new ReadOnlyFence("fence-1", false, true, true));
      assertThat(onAgain).isEqualTo(new ReadOnlyFence("fence-1", true, true, false));
      assertThat(show("default_transaction_read_only")).isEqualTo("on");
      try (Connection fresh = postgres.dataSource().getConnection();
          Statement statement = fresh.createStatement()) {
        SQLException refused =
            catchThrowableOfType(
                SQLException.class, () -> statement.execute("CREATE TABLE fenced (id int)"));
        assertThat(refused.getSQLState()).isEqualTo("25006");
      }

      ReadOnlyFence off = activities.setDefaultReadOnly("fence-2", false);

      assertThat(off).isEqualTo(new ReadOnlyFence("fence-2", true, false, true));
      assertThat(show("default_transaction_read_only")).isEqualTo("off");
    } finally {
      activities.setDefaultReadOnly("cleanup", false);
    }
  }

  @Test
  void promoteOnAPrimaryIsANoOpAndReplicationStatusShowsAPrimary() {
    assertThat(activities.promote("failover-1"))
        .isEqualTo(new Promotion("failover-1", false, true));
    assertThat(activities.promote("failover-1"))
        .isEqualTo(new Promotion("failover-1", false, true));

    ReplicationStatus status = activities.replicationStatus();

    assertThat(status.inRecovery()).isFalse();
    assertThat(status.replayLagBytes()).isNull();
    assertThat(status.replayLagSeconds()).isNull();
    assertThat(status.replicas()).isEmpty();
  }

  @Test
  void wrongPortFailsRetryably() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PostgresActivitiesImpl refused =
        activitiesAs(postgres.user(), "jdbc:postgresql://127.0.0.1:" + port + "/postgres");

    assertFailure(
        catchThrowableOfType(ApplicationFailure.class, refused::connectionUsage),
        PostgresActivitiesImpl.UNAVAILABLE,
        false);
  }

  @Test
  void serverThatNeverAnswersTimesOutRetryably() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                List<Socket> held = new ArrayList<>();
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  held.forEach(
                      s -> {
                        try {
                          s.close();
                        } catch (IOException ignored) {
                          // the test is over
                        }
                      });
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      PostgresActivitiesImpl hung =
          activitiesAs(
              postgres.user(), "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/x");

      long started = System.nanoTime();
      Throwable thrown = catchThrowableOfType(ApplicationFailure.class, hung::replicationStatus);

      assertFailure(thrown, PostgresActivitiesImpl.UNAVAILABLE, false);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }
  }

  @Test
  void unknownDatabaseIsNotFoundAndUnknownRoleIsPermissionDenied() {
    String base = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/";
    assertFailure(
        catchThrowableOfType(
            ApplicationFailure.class,
            activitiesAs(postgres.user(), base + "no_such_db")::connectionUsage),
        FailureTypes.NOT_FOUND,
        true);
    assertFailure(
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                activities.terminateIdleSessions(
                    new TerminateIdleRequest("act-9", 60, "no_such_db", false, false))),
        FailureTypes.NOT_FOUND,
        true);
    assertFailure(
        catchThrowableOfType(
            ApplicationFailure.class, activitiesAs("ghost", base + "postgres")::connectionUsage),
        FailureTypes.PERMISSION_DENIED,
        true);
  }

  @Test
  void roleWithoutPrivilegeCannotEndSuperuserSessionsOrFenceWrites() throws Exception {
    try (Connection admin = postgres.dataSource().getConnection();
        Statement statement = admin.createStatement()) {
      statement.execute("DROP ROLE IF EXISTS watcher");
      // Sees every session (pg_read_all_stats) but may signal none and is no superuser.
      statement.execute("CREATE ROLE watcher LOGIN IN ROLE pg_read_all_stats");
    }
    Connection operator = superuserSession("operator-psql");
    Thread.sleep(1_200);
    PostgresActivitiesImpl watcher = activitiesAs("watcher", postgres.jdbcUrl());

    assertFailure(
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                watcher.terminateIdleSessions(
                    new TerminateIdleRequest("act-5", 1, null, true, false))),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertFailure(
        catchThrowableOfType(
            ApplicationFailure.class, () -> watcher.setDefaultReadOnly("fence-9", true)),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertThat(alive(operator)).isTrue();
    assertThat(show("default_transaction_read_only")).isEqualTo("off");
  }

  @Test
  void runsAsATemporalActivityAndReportsFailuresByType() {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(activities);
      PostgresActivities stub =
          env.newActivityStub(PostgresActivities.class, PostgresOptions.READ_POSTGRES);
      PostgresActivities mutating =
          env.newActivityStub(PostgresActivities.class, PostgresOptions.MUTATING_POSTGRES);

      assertThat(stub.connectionUsage().maxConnections()).isEqualTo(200);

      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class,
              () ->
                  mutating.terminateIdleSessions(
                      new TerminateIdleRequest("act-7", -5, null, false, false)));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
      assertThat(cause.isNonRetryable()).isTrue();

      ActivityFailure missing =
          catchThrowableOfType(
              ActivityFailure.class,
              () ->
                  mutating.terminateIdleSessions(
                      new TerminateIdleRequest("act-8", 5, "no_such_db", false, false)));
      assertThat(((ApplicationFailure) missing.getCause()).getType())
          .isEqualTo(FailureTypes.NOT_FOUND);
    } finally {
      env.close();
    }
  }
}
