package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Opens short-lived JDBC connections to the watched server, with short connect and socket timeouts
 * so that a dead or hung server fails the activity attempt quickly and the retry policy takes over.
 * No pool: the activities run rarely, and a pool would itself hold slots on a server that is
 * running out of them.
 */
public final class PostgresConnector {
  /** TCP connect and login: a healthy server on the same network answers in milliseconds. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Longest wait for one answer; every query these activities run is a catalogue read. */
  public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(15);

  /** {@code application_name} of our sessions, so operators can tell them apart. */
  public static final String APPLICATION_NAME = "opsflow";

  private final String url;
  private final String user;
  private final Secret password;
  private final Duration connectTimeout;
  private final Duration socketTimeout;

  /**
   * @param url a {@code jdbc:postgresql:} URL
   * @param password empty for trust or certificate authentication
   */
  public PostgresConnector(
      String url, String user, Secret password, Duration connectTimeout, Duration socketTimeout) {
    this.url = url;
    this.user = user;
    this.password = password == null ? Secret.empty() : password;
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
  }

  public static PostgresConnector fromConfig(OpsflowConfig config) {
    OpsflowConfig.Postgres postgres = config.postgres();
    return new PostgresConnector(
        postgres.url(), postgres.user(), postgres.password(), CONNECT_TIMEOUT, SOCKET_TIMEOUT);
  }

  /**
   * A new connection in autocommit mode.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code NotConfigured} if the URL is not a
   *     PostgreSQL JDBC URL
   * @throws SQLException if the server cannot be reached or refuses us
   */
  public Connection open() throws SQLException {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw FailureTypes.notConfigured("postgres.url must be a jdbc:postgresql: URL");
    }
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password.isPresent()) {
      props.setProperty("password", password.reveal());
    }
    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    props.setProperty("loginTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    props.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
    props.setProperty("ApplicationName", APPLICATION_NAME);
    Connection connection = new Driver().connect(url, props);
    if (connection == null) {
      throw FailureTypes.notConfigured("postgres.url must be a jdbc:postgresql: URL");
    }
    return connection;
  }

  /** {@code message} with the password, should it appear, replaced by {@code ****}. */
  String redact(String message) {
    if (message == null) {
      return "";
    }
    return password.isPresent() ? message.replace(password.reveal(), "****") : message;
  }
}
