package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.activities.postgres.IdleSessionPolicy.Session;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link PostgresActivities} over plain JDBC, one short-lived connection per call. */
public final class PostgresActivitiesImpl implements PostgresActivities {
  /** Retryable failure type: unreachable, timed out, starting, stopping, or out of slots. */
  public static final String UNAVAILABLE = "PostgresUnavailable";

  /** Retryable failure type: any other SQL error. */
  public static final String POSTGRES_ERROR = "PostgresError";

  /** Skip reason for a session that became busy or ended between looking and acting. */
  public static final String CHANGED_BEFORE_END = "changed before it was ended";

  /** How long {@link #promote} waits for the standby to leave recovery. */
  public static final Duration PROMOTE_WAIT = Duration.ofSeconds(60);

  /** How long to wait for ended sessions to exit, or for a reload to reach new sessions. */
  static final Duration SETTLE_WAIT = Duration.ofSeconds(5);

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration PROMOTE_POLL_INTERVAL = Duration.ofSeconds(1);

  private static final String USAGE =
      "SELECT current_setting('max_connections')::int,"
          + " current_setting('superuser_reserved_connections')::int,"
          + " coalesce(a.state, ?), count(*)"
          + " FROM pg_stat_activity a WHERE a.backend_type = ? GROUP BY 3";
  private static final String SESSIONS =
      "SELECT a.pid, a.backend_type, a.datname, coalesce(r.rolsuper, false), a.state,"
          + " extract(epoch FROM clock_timestamp() - a.state_change)::float8,"
          + " a.pid = pg_backend_pid()"
          + " FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid";
  // Checks again, in the same statement that ends them, that the chosen sessions are still idle.
  private static final String TERMINATE =
      "SELECT a.pid, pg_terminate_backend(a.pid) FROM pg_stat_activity a"
          + " WHERE a.pid = ANY (?) AND a.pid <> pg_backend_pid() AND a.backend_type = ?"
          + " AND a.state = ? AND clock_timestamp() - a.state_change > make_interval(secs => ?)";
  private static final String STILL_THERE =
      "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY (?)";
  private static final String DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = ?";
  private static final String READ_ONLY_SETTING =
      "SELECT setting FROM pg_settings WHERE name = 'default_transaction_read_only'";
  // ALTER SYSTEM takes no bind parameters; these are the only two statements it is used with.
  private static final String FENCE_ON = "ALTER SYSTEM SET default_transaction_read_only = on";
  private static final String FENCE_OFF = "ALTER SYSTEM SET default_transaction_read_only = off";
  private static final String RELOAD = "SELECT pg_reload_conf()";
  private static final String IN_RECOVERY = "SELECT pg_is_in_recovery()";
  private static final String PROMOTE = "SELECT pg_promote(false)";
  private static final String STANDBY_LAG =
      "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()),"
          + " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8"
          + " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END";
  private static final String REPLICAS =
      "SELECT application_name, host(client_addr), state, sent_lsn::text, replay_lsn::text,"
          + " pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()"
          + " ELSE pg_current_wal_lsn() END, replay_lsn),"
          + " extract(epoch FROM replay_lag)::float8"
          + " FROM pg_stat_replication ORDER BY application_name, pid";

  private static final String NOT_VISIBLE = "not visible";
  private static final Logger log = LoggerFactory.getLogger(PostgresActivitiesImpl.class);

  private final PostgresConnector connector;
  private final Consumer<Object> heartbeat;

  /**
   * @param connector opens the connection each call uses
   * @param heartbeat where {@link #promote} reports progress while it waits; in a worker, {@link
   *     #heartbeatToTemporal}
   */
  public PostgresActivitiesImpl(PostgresConnector connector, Consumer<Object> heartbeat) {
    this.connector = connector;
    this.heartbeat = heartbeat;
  }

  public static PostgresActivitiesImpl fromConfig(OpsflowConfig config) {
    return new PostgresActivitiesImpl(
        PostgresConnector.fromConfig(config), PostgresActivitiesImpl::heartbeatToTemporal);
  }

  /** Records progress as the activity's heartbeat; throws if the activity was cancelled. */
  public static void heartbeatToTemporal(Object details) {
    Activity.getExecutionContext().heartbeat(details);
  }

  @Override
  public ConnectionUsage connectionUsage() {
    try (Connection connection = connector.open();
        PreparedStatement query = connection.prepareStatement(USAGE)) {
      query.setString(1, NOT_VISIBLE);
      query.setString(2, IdleSessionPolicy.CLIENT_BACKEND);
      int maxConnections = 0;
      int reserved = 0;
      int total = 0;
      Map<String, Integer> byState = new TreeMap<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          maxConnections = rs.getInt(1);
          reserved = rs.getInt(2);
          byState.put(rs.getString(3), rs.getInt(4));
          total += rs.getInt(4);
        }
      }
      // Our own session is always there, so the query always returns a row with the settings.
      double percent = maxConnections == 0 ? 0 : total * 100.0 / maxConnections;
      log.info(
          "PostgreSQL connections: {} of {} ({}%), by state {}",
          total, maxConnections, String.format("%.1f", percent), byState);
      return new ConnectionUsage(maxConnections, reserved, total, byState, percent);
    } catch (SQLException e) {
      throw classify(e, "reading connection usage");
    }
  }

  @Override
  public TerminateIdleResult terminateIdleSessions(TerminateIdleRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("terminateIdleSessions needs a request");
    }
    String actionId = requireActionId(request.actionId());
    if (request.idleLongerThanSeconds() < 0) {
      throw FailureTypes.invalidInput(
          "idleLongerThanSeconds must not be negative: " + request.idleLongerThanSeconds());
    }
    String database =
        request.database() == null || request.database().isBlank()
            ? null
            : request.database().trim();
    if (database != null) {
      try {
        // The value as sent: trim() would quietly drop a trailing NUL or CR/LF.
        PostgresNames.database("database", request.database());
      } catch (InvalidNameException e) {
        throw FailureTypes.invalidName(e);
      }
    }
    IdleSessionPolicy policy =
        new IdleSessionPolicy(
            request.idleLongerThanSeconds(), database, request.includeSuperuserSessions());
    String doing = "ending idle sessions (action " + actionId + ")";
    try (Connection connection = connector.open()) {
      if (database != null) {
        requireDatabase(connection, database);
      }
      Map<String, Integer> skipped = new TreeMap<>();
      List<Integer> chosen = new ArrayList<>();
      for (Session session : sessions(connection)) {
        Optional<String> reason = policy.reasonToSpare(session);
        if (reason.isPresent()) {
          skipped.merge(reason.get(), 1, Integer::sum);
        } else {
          chosen.add(session.pid());
        }
      }
      if (request.dryRun() || chosen.isEmpty()) {
        log.info(
            "action {}: {} idle sessions {} (idle > {} s, database {}), skipped {}",
            actionId,
            chosen.size(),
            request.dryRun() ? "would be ended" : "to end",
            request.idleLongerThanSeconds(),
            database == null ? "any" : database,
            skipped);
        return new TerminateIdleResult(
            actionId, request.dryRun(), 0, List.copyOf(new TreeSet<>(chosen)), skipped);
      }
      Set<Integer> ended = terminate(connection, chosen, request.idleLongerThanSeconds());
      int changed = chosen.size() - ended.size();
      if (changed > 0) {
        skipped.merge(CHANGED_BEFORE_END, changed, Integer::sum);
      }
      awaitExit(connection, ended);
      log.info(
          "action {}: ended {} sessions idle > {} s (database {}), skipped {}",
          actionId,
          ended.size(),
          request.idleLongerThanSeconds(),
          database == null ? "any" : database,
          skipped);
      return new TerminateIdleResult(actionId, false, ended.size(), List.copyOf(ended), skipped);
    } catch (SQLException e) {
      throw classify(e, doing);
    }
  }

  @Override
  public ReadOnlyFence setDefaultReadOnly(String actionId, boolean readOnly) {
    String id = requireActionId(actionId);
    String doing = "setting default_transaction_read_only to " + readOnly + " (action " + id + ")";
    try (Connection connection = connector.open()) {
      boolean previous = readOnlySetting(connection);
      if (previous == readOnly) {
        log.info(
            "action {}: default_transaction_read_only already {}, nothing to do", id, readOnly);
        return new ReadOnlyFence(id, previous, readOnly, false);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(readOnly ? FENCE_ON : FENCE_OFF);
        statement.execute(RELOAD);
      }
      awaitSettingInNewSessions(readOnly, doing);
      log.info("action {}: default_transaction_read_only {} -> {}", id, previous, readOnly);
      return new ReadOnlyFence(id, previous, readOnly, true);
    } catch (SQLException e) {
      throw classify(e, doing);
    }
  }

  @Override
  public ReplicationStatus replicationStatus() {
    try (Connection connection = connector.open()) {
      boolean inRecovery = inRecovery(connection);
      Long lagBytes = null;
      Double lagSeconds = null;
      if (inRecovery) {
        try (Statement statement = connection.createStatement();
            ResultSet rs = statement.executeQuery(STANDBY_LAG)) {
          rs.next();
          lagBytes = longOrNull(rs.getBigDecimal(1));
          lagSeconds = doubleOrNull(rs, 2);
        }
      }
      List<ReplicaStatus> replicas = new ArrayList<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(REPLICAS)) {
        while (rs.next()) {
          replicas.add(
              new ReplicaStatus(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  longOrNull(rs.getBigDecimal(6)),
                  doubleOrNull(rs, 7)));
        }
      }
      return new ReplicationStatus(inRecovery, lagBytes, lagSeconds, replicas);
    } catch (SQLException e) {
      throw classify(e, "reading replication status");
    }
  }

  @Override
  public Promotion promote(String actionId) {
    String id = requireActionId(actionId);
    String doing = "promoting the standby (action " + id + ")";
    try (Connection connection = connector.open()) {
      if (!inRecovery(connection)) {
        log.info("action {}: server is not in recovery, already primary; nothing to do", id);
        return new Promotion(id, false, true);
      }
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(PROMOTE)) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw FailureTypes.retryable(
              doing + " failed: the server did not accept the promote signal", UNAVAILABLE, null);
        }
      }
      long deadline = System.nanoTime() + PROMOTE_WAIT.toNanos();
      while (inRecovery(connection)) {
        if (System.nanoTime() > deadline) {
          throw FailureTypes.retryable(
              doing + ": still in recovery after " + PROMOTE_WAIT.toSeconds() + " s",
              UNAVAILABLE,
              null);
        }
        heartbeat.accept("waiting for the standby to leave recovery");
        sleep(PROMOTE_POLL_INTERVAL);
      }
      log.info("action {}: standby promoted to primary", id);
      return new Promotion(id, true, false);
    } catch (SQLException e) {
      throw classify(e, doing);
    }
  }

  private List<Session> sessions(Connection connection) throws SQLException {
    List<Session> sessions = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(SESSIONS)) {
      while (rs.next()) {
        sessions.add(
            new Session(
                rs.getInt(1),
                rs.getString(2),
                rs.getString(3),
                rs.getBoolean(4),
                rs.getString(5),
                doubleOrNull(rs, 6),
                rs.getBoolean(7)));
      }
    }
    return sessions;
  }

  /** Ends those of {@code pids} that are still idle past the bound; returns the ones signalled. */
  private static Set<Integer> terminate(
      Connection connection, List<Integer> pids, long idleLongerThanSeconds) throws SQLException {
    Set<Integer> ended = new TreeSet<>();
    try (PreparedStatement statement = connection.prepareStatement(TERMINATE)) {
      Array array = connection.createArrayOf("integer", pids.toArray());
      statement.setArray(1, array);
      statement.setString(2, IdleSessionPolicy.CLIENT_BACKEND);
      statement.setString(3, IdleSessionPolicy.IDLE);
      statement.setDouble(4, idleLongerThanSeconds);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          // false: the process was gone before the signal reached it.
          if (rs.getBoolean(2)) {
            ended.add(rs.getInt(1));
          }
        }
      }
    }
    return ended;
  }

  /**
   * Waits briefly until the ended sessions have left {@code pg_stat_activity}, so that an immediate
   * second call does not see (and count) them again.
   */
  static void awaitExit(Connection connection, Set<Integer> pids) throws SQLException {
    if (pids.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + SETTLE_WAIT.toNanos();
    try (PreparedStatement statement = connection.prepareStatement(STILL_THERE)) {
      statement.setArray(1, connection.createArrayOf("integer", pids.toArray()));
      while (true) {
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          int left = rs.getInt(1);
          if (left == 0) {
            return;
          }
          if (System.nanoTime() > deadline) {
            log.warn("{} ended sessions had not exited after {}", left, SETTLE_WAIT);
            return;
          }
        }
        sleep(POLL_INTERVAL);
      }
    }
  }

  private static void requireDatabase(Connection connection, String database) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(DATABASE_EXISTS)) {
      query.setString(1, database);
      try (ResultSet rs = query.executeQuery()) {
        if (!rs.next()) {
          throw FailureTypes.notFound("database " + database + " does not exist");
        }
      }
    }
  }

  private static boolean readOnlySetting(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(READ_ONLY_SETTING)) {
      rs.next();
      return "on".equals(rs.getString(1));
    }
  }

  /** A reload reaches new sessions after the postmaster has read the file; that takes moments. */
  private void awaitSettingInNewSessions(boolean readOnly, String doing) throws SQLException {
    long deadline = System.nanoTime() + SETTLE_WAIT.toNanos();
    while (true) {
      try (Connection fresh = connector.open()) {
        if (readOnlySetting(fresh) == readOnly) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw FailureTypes.retryable(
            doing
                + ": new sessions still do not see the new value after "
                + SETTLE_WAIT.toSeconds()
                + " s (is it overridden per role or database?)",
            POSTGRES_ERROR,
            null);
      }
      sleep(POLL_INTERVAL);
    }
  }

  static boolean inRecovery(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(IN_RECOVERY)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static String requireActionId(String actionId) {
    if (actionId == null || actionId.isBlank()) {
      throw FailureTypes.invalidInput("actionId is required");
    }
    return actionId.trim();
  }

  /**
   * Maps an SQL error to the failure type the retry policy acts on. The driver's message is kept
   * (with the password redacted should it ever appear), the exception itself is not attached, so
   * nothing else of the connection settings travels into the workflow history.
   */
  ApplicationFailure classify(SQLException error, String doing) {
    return classify(connector, error, doing);
  }

  /** {@link #classify(SQLException, String)} for a connection to any server. */
  static ApplicationFailure classify(
      PostgresConnector connector, SQLException error, String doing) {
    String state = error.getSQLState() == null ? "" : error.getSQLState();
    String message =
        doing
            + " failed: "
            + connector.redact(error.getMessage())
            + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    switch (state) {
      case "28P01", "28000", "42501" -> {
        return FailureTypes.permissionDenied(message);
      }
      case "3D000" -> {
        return FailureTypes.notFound(message);
      }
      default -> {
        // 08: connection failures and timeouts; 53: out of slots or memory; 57P0x: shutting
        // down or starting up; 57014: statement cancelled (timeout).
        if (state.startsWith("08")
            || state.startsWith("53")
            || state.startsWith("57P")
            || state.equals("57014")
            || causedBy(error, ConnectException.class)
            || causedBy(error, SocketTimeoutException.class)) {
          return FailureTypes.retryable(message, UNAVAILABLE, null);
        }
        return FailureTypes.retryable(message, POSTGRES_ERROR, null);
      }
    }
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  static Long longOrNull(BigDecimal value) {
    return value == null ? null : value.longValue();
  }

  static Double doubleOrNull(ResultSet rs, int column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable("interrupted while waiting for PostgreSQL", UNAVAILABLE, e);
    }
  }
}
