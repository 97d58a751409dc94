package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The SQL a runbook may run: a probe's query, read-only by the server's own guarantee (a {@code
 * READ ONLY} transaction with a 15 s statement timeout that is always rolled back, so even a
 * function that writes fails), with every value bound, never spliced; and the cancellation of slow
 * queries, which never touches DDL, opsflow's own session or superusers' sessions.
 */
public final class ReadOnlyQueries {
  /** Rows a probe's result keeps: a probe answers a question, it does not export a table. */
  public static final int MAX_ROWS = 100;

  private static final Pattern DDL =
      Pattern.compile(
          "^\\s*(create|alter|drop|truncate|reindex|vacuum|cluster|grant|revoke|comment)\\b",
          Pattern.CASE_INSENSITIVE);

  private final PostgresConnector connector;

  public ReadOnlyQueries(PostgresConnector connector) {
    this.connector = connector;
  }

  /** Runs {@code sql} with {@code binds} in a read-only transaction; at most {@link #MAX_ROWS}. */
  public List<Map<String, Object>> query(String sql, List<Object> binds) {
    if (sql == null || sql.isBlank()) {
      throw FailureTypes.invalidInput("postgres.query: sql is required");
    }
    try (Connection c = connector.open()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION READ ONLY");
        s.execute("SET LOCAL statement_timeout = '15s'");
      }
      try (PreparedStatement p = c.prepareStatement(sql)) {
        for (int i = 0; i < binds.size(); i++) {
          p.setObject(i + 1, binds.get(i));
        }
        p.setMaxRows(MAX_ROWS);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          ResultSetMetaData meta = r.getMetaData();
          while (r.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              row.put(meta.getColumnLabel(i), json(r.getObject(i)));
            }
            rows.add(row);
          }
        }
        return rows;
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      if ("25006".equals(e.getSQLState())) {
        throw FailureTypes.forbiddenTarget(
            "postgres.query may only read: the query tried to write (" + e.getSQLState() + ")");
      }
      throw PostgresActivitiesImpl.classify(connector, e, "postgres.query");
    }
  }

  /**
   * Cancels ({@code pg_cancel_backend}) or terminates ({@code pg_terminate_backend}) client queries
   * running longer than {@code slowerThanSeconds}; never DDL, never opsflow's own session, never a
   * superuser's.
   *
   * @return the pids acted on, ascending
   */
  public List<Integer> cancelSlowQueries(
      long slowerThanSeconds, String database, boolean terminate) {
    if (slowerThanSeconds < 1) {
      throw FailureTypes.invalidInput("postgres.cancelSlowQueries: slowerThan must be at least 1s");
    }
    String sql =
        "SELECT a.pid, a.query FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid"
            + " WHERE a.state = 'active' AND a.backend_type = 'client backend'"
            + " AND a.pid <> pg_backend_pid() AND NOT coalesce(r.rolsuper, false)"
            + " AND now() - a.query_start > make_interval(secs => ?)"
            + " AND (?::text IS NULL OR a.datname = ?::text) ORDER BY a.pid";
    String signal = terminate ? "SELECT pg_terminate_backend(?)" : "SELECT pg_cancel_backend(?)";
    try (Connection c = connector.open()) {
      List<Integer> chosen = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(sql)) {
        p.setDouble(1, slowerThanSeconds);
        p.setString(2, database);
        p.setString(3, database);
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            String query = r.getString(2);
            if (query == null || !DDL.matcher(query).find()) {
              chosen.add(r.getInt(1));
            }
          }
        }
      }
      List<Integer> done = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(signal)) {
        for (int pid : chosen) {
          p.setInt(1, pid);
          try (ResultSet r = p.executeQuery()) {
            if (r.next() && r.getBoolean(1)) {
              done.add(pid);
            }
          }
        }
      }
      return done;
    } catch (SQLException e) {
      throw PostgresActivitiesImpl.classify(connector, e, "postgres.cancelSlowQueries");
    }
  }

  private static Object json(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean) {
      return value;
    }
    return value.toString();
  }
}
