package dev.opsflow.activities.postgres;

import static dev.opsflow.activities.postgres.PostgresActivitiesImpl.UNAVAILABLE;

import dev.opsflow.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link FailoverActivities} over plain JDBC, one short-lived session per member and call. */
public final class FailoverActivitiesImpl implements FailoverActivities {
  /** Non-retryable: the replica did not reach the position in time; the workflow asks a human. */
  public static final String REPLAY_TIMEOUT = "ReplayTimeout";

  /** Non-retryable: a final position was asked of a primary whose writes are not fenced. */
  public static final String NOT_FENCED = "NotFenced";

  /** Non-retryable: promoting would leave two writable primaries. */
  public static final String FORMER_PRIMARY_WRITABLE = "FormerPrimaryWritable";

  /** How long {@link #promote} waits for the candidate to leave recovery. */
  public static final Duration PROMOTE_WAIT = Duration.ofSeconds(60);

  /** Longest {@link ReplayRequest#timeoutSeconds()} accepted. */
  public static final long MAX_REPLAY_TIMEOUT_SECONDS = 3600;

  /** How long to wait for a reload to reach new sessions, or ended sessions to exit. */
  static final Duration SETTLE_WAIT = Duration.ofSeconds(5);

  // pg_promote(wait => true) blocks without heartbeating, so it is called this long at a time.
  private static final int PROMOTE_STEP_SECONDS = 5;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration REPLAY_POLL_INTERVAL = Duration.ofMillis(200);
  private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

  private static final String PROBE =
      "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on',"
          + " CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_flush_lsn()::text END,"
          + " pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text";
  private static final String RECEIVER =
      "SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver),"
          + " (SELECT slot_name FROM pg_stat_wal_receiver),"
          + " pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,"
          + " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8"
          + " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,"
          // The primary's end of WAL as its sender last reported it, and how long ago: the only
          // trace of the primary's position left on the replica once the primary is gone (and
          // only while the receiver still holds the connection).
          + " (SELECT pg_wal_lsn_diff(latest_end_lsn, pg_last_wal_replay_lsn())"
          + " FROM pg_stat_wal_receiver WHERE latest_end_lsn IS NOT NULL),"
          + " (SELECT extract(epoch FROM now() - latest_end_time)::float8"
          + " FROM pg_stat_wal_receiver WHERE latest_end_lsn IS NOT NULL)";
  private static final String PRIMARY_POSITION =
      "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_flush_lsn()::text END,"
          + " CASE WHEN pg_is_in_recovery() THEN NULL"
          + " ELSE pg_wal_lsn_diff(pg_current_wal_flush_lsn(), ?::pg_lsn) END";
  private static final String SENDERS =
      "SELECT r.state, extract(epoch FROM r.replay_lag)::float8, s.slot_name"
          + " FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid";
  private static final String NEW_TRANSACTION_READ_ONLY =
      "SELECT current_setting('transaction_read_only') = 'on'";
  // ALTER SYSTEM takes no bind parameters; these are the only statements it is used with.
  private static final String FENCE_ON = "ALTER SYSTEM SET default_transaction_read_only = on";
  private static final String FENCE_RESET = "ALTER SYSTEM RESET default_transaction_read_only";
  private static final String RELOAD = "SELECT pg_reload_conf()";
  // Every open transaction: one that began before its session took in the reload keeps the
  // read-write mode it started with, and which one did cannot be seen from outside.
  private static final String END_WRITE_SESSIONS =
      "SELECT a.pid, pg_terminate_backend(a.pid) FROM pg_stat_activity a"
          + " WHERE a.backend_type = ? AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL";
  // Closes the WAL segment: everything inserted before (every commit acknowledged so far) is
  // flushed and streamed, and the replica's replay passes the returned position once it has it.
  private static final String SWITCH_WAL = "SELECT pg_switch_wal()::text";
  private static final String REPLAY_GAP =
      "SELECT pg_last_wal_replay_lsn()::text,"
          + " greatest(pg_wal_lsn_diff(?::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint";
  private static final String PROMOTE = "SELECT pg_promote(true, ?)";
  private static final String REPLAY_LSN = "SELECT pg_last_wal_replay_lsn()::text";
  private static final String TXID = "SELECT txid_current()";

  private static final Logger log = LoggerFactory.getLogger(FailoverActivitiesImpl.class);

  private final PostgresMembers members;
  private final Consumer<Object> heartbeat;

  /**
   * @param members the members this worker may act on
   * @param heartbeat where the waits report progress; in a worker, {@link
   *     PostgresActivitiesImpl#heartbeatToTemporal}
   */
  /** The members of every cluster in {@code failover.clusters}; heartbeats go to the activity. */
  public static FailoverActivitiesImpl fromConfig(dev.opsflow.config.OpsflowConfig config) {
    return new FailoverActivitiesImpl(
        FailoverClusterActivitiesImpl.members(config.failover()),
        details -> io.temporal.activity.Activity.getExecutionContext().heartbeat(details));
  }

  public FailoverActivitiesImpl(PostgresMembers members, Consumer<Object> heartbeat) {
    this.members = members;
    this.heartbeat = heartbeat;
  }

  @Override
  public MemberProbe probe(String member) {
    PostgresConnector connector = members.connector("member", member);
    try (Connection connection = connector.open();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(PROBE)) {
      rs.next();
      return new MemberProbe(
          member,
          true,
          rs.getBoolean(1),
          rs.getBoolean(2),
          rs.getString(3),
          rs.getString(4),
          rs.getString(5),
          null);
    } catch (SQLException e) {
      ApplicationFailure failure = classify(connector, e, "probing " + member);
      if (UNAVAILABLE.equals(failure.getType())) {
        log.info("probe of {}: down ({})", member, failure.getOriginalMessage());
        return new MemberProbe(
            member, false, null, null, null, null, null, failure.getOriginalMessage());
      }
      throw failure;
    }
  }

  @Override
  public ReplicationState replicationState(String primary, String replica) {
    PostgresConnector primaryConnector = members.connector("primary", primary);
    PostgresConnector replicaConnector = members.connector("replica", replica);
    if (primary.equals(replica)) {
      throw FailureTypes.invalidInput(
          "primary and replica must be two members, both are " + primary);
    }
    boolean inRecovery;
    String receiverStatus;
    String slot;
    String receiveLsn;
    String replayLsn;
    Double replicaLagSeconds;
    Long reportedLagBytes;
    Double reportedAgeSeconds;
    try (Connection connection = replicaConnector.open();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(RECEIVER)) {
      rs.next();
      inRecovery = rs.getBoolean(1);
      receiverStatus = rs.getString(2);
      slot = rs.getString(3);
      receiveLsn = rs.getString(4);
      replayLsn = rs.getString(5);
      replicaLagSeconds = PostgresActivitiesImpl.doubleOrNull(rs, 6);
      reportedLagBytes = PostgresActivitiesImpl.longOrNull(rs.getBigDecimal(7));
      reportedAgeSeconds = PostgresActivitiesImpl.doubleOrNull(rs, 8);
    } catch (SQLException e) {
      throw classify(replicaConnector, e, "reading the replication state of replica " + replica);
    }
    try (Connection connection = primaryConnector.open()) {
      String flushLsn;
      Long lagBytes;
      try (PreparedStatement query = connection.prepareStatement(PRIMARY_POSITION)) {
        query.setString(1, replayLsn);
        try (ResultSet rs = query.executeQuery()) {
          rs.next();
          flushLsn = rs.getString(1);
          lagBytes = PostgresActivitiesImpl.longOrNull(rs.getBigDecimal(2));
        }
      }
      String senderState = null;
      Double senderLagSeconds = null;
      List<String[]> senders = new ArrayList<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(SENDERS)) {
        while (rs.next()) {
          senders.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
      for (String[] sender : senders) {
        // The replica's slot names its WAL sender; without a slot, only a lone sender is its own.
        if ((slot != null && slot.equals(sender[2])) || (slot == null && senders.size() == 1)) {
          senderState = sender[0];
          senderLagSeconds = sender[1] == null ? null : Double.valueOf(sender[1]);
        }
      }
      if (lagBytes != null && lagBytes < 0) {
        lagBytes = 0L;
      }
      Double lagSeconds =
          lagBytes != null && lagBytes == 0
              ? Double.valueOf(0)
              : senderLagSeconds != null ? senderLagSeconds : replicaLagSeconds;
      boolean streaming =
          inRecovery && "streaming".equals(receiverStatus) && "streaming".equals(senderState);
      return new ReplicationState(
          primary,
          replica,
          true,
          inRecovery,
          streaming,
          senderState,
          receiverStatus,
          flushLsn,
          receiveLsn,
          replayLsn,
          lagBytes,
          lagSeconds,
          null,
          lagBytes == null ? null : ReplicationState.FROM_PRIMARY,
          lagBytes == null ? null : Double.valueOf(0));
    } catch (SQLException e) {
      ApplicationFailure failure =
          classify(primaryConnector, e, "reading the replication state of primary " + primary);
      if (!UNAVAILABLE.equals(failure.getType())) {
        throw failure;
      }
      return new ReplicationState(
          primary,
          replica,
          false,
          inRecovery,
          inRecovery && "streaming".equals(receiverStatus),
          null,
          receiverStatus,
          null,
          receiveLsn,
          replayLsn,
          reportedLagBytes == null ? null : Math.max(0, reportedLagBytes),
          replicaLagSeconds,
          failure.getOriginalMessage(),
          reportedLagBytes == null ? null : ReplicationState.FROM_RECEIVER,
          reportedLagBytes == null ? null : reportedAgeSeconds);
    }
  }

  @Override
  public FenceResult fence(FenceRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("fence needs a request");
    }
    String id = PostgresActivitiesImpl.requireActionId(request.actionId());
    String member = request.member();
    PostgresConnector connector = members.connector("member", member);
    String doing = "fencing writes on " + member + " (action " + id + ")";
    try (Connection connection = connector.open()) {
      boolean changed = false;
      if (!newTransactionReadOnly(connector)) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(FENCE_ON);
          statement.execute(RELOAD);
        }
        awaitNewTransactions(connector, true, doing);
        changed = true;
      }
      List<Integer> ended = List.of();
      if (request.endWriteSessions()) {
        Set<Integer> signalled = endWriteSessions(connection);
        PostgresActivitiesImpl.awaitExit(connection, signalled);
        ended = List.copyOf(signalled);
      }
      log.info(
          "action {}: {} fenced ({}), ended {} write sessions",
          id,
          member,
          changed ? "now" : "already",
          ended.size());
      return new FenceResult(id, member, true, changed, ended);
    } catch (SQLException e) {
      throw classify(connector, e, doing);
    }
  }

  @Override
  public FenceResult unfence(String actionId, String member) {
    String id = PostgresActivitiesImpl.requireActionId(actionId);
    PostgresConnector connector = members.connector("member", member);
    String doing = "lifting the write fence on " + member + " (action " + id + ")";
    try (Connection connection = connector.open()) {
      if (!newTransactionReadOnly(connector)) {
        log.info("action {}: {} already takes writes, nothing to do", id, member);
        return new FenceResult(id, member, false, false, List.of());
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(FENCE_RESET);
        statement.execute(RELOAD);
      }
      awaitNewTransactions(connector, false, doing);
      log.info("action {}: {} unfenced, new transactions are read-write", id, member);
      return new FenceResult(id, member, false, true, List.of());
    } catch (SQLException e) {
      throw classify(connector, e, doing);
    }
  }

  @Override
  public FinalPosition finalLsn(String actionId, String primary) {
    String id = PostgresActivitiesImpl.requireActionId(actionId);
    PostgresConnector connector = members.connector("primary", primary);
    String doing = "reading the final WAL position of " + primary + " (action " + id + ")";
    try (Connection connection = connector.open()) {
      if (!newTransactionReadOnly(connector)) {
        throw ApplicationFailure.newNonRetryableFailure(
            doing + ": its writes are not fenced, so more could follow any position read now",
            NOT_FENCED);
      }
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(SWITCH_WAL)) {
        rs.next();
        String lsn = rs.getString(1);
        log.info("action {}: final WAL position of {} is {}", id, primary, lsn);
        return new FinalPosition(id, primary, lsn);
      }
    } catch (SQLException e) {
      throw classify(connector, e, doing);
    }
  }

  @Override
  public ReplayProgress waitForReplay(ReplayRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("waitForReplay needs a request");
    }
    String id = PostgresActivitiesImpl.requireActionId(request.actionId());
    if (request.lsn() == null || !LSN.matcher(request.lsn()).matches()) {
      throw FailureTypes.invalidInput(
          "lsn must be a WAL position such as 0/3000148, got "
              + dev.opsflow.activities.Printable.quoted(request.lsn()));
    }
    if (request.timeoutSeconds() < 1 || request.timeoutSeconds() > MAX_REPLAY_TIMEOUT_SECONDS) {
      throw FailureTypes.invalidInput(
          "timeoutSeconds must be 1-"
              + MAX_REPLAY_TIMEOUT_SECONDS
              + ": "
              + request.timeoutSeconds());
    }
    String replica = request.replica();
    PostgresConnector connector = members.connector("replica", replica);
    String doing =
        "waiting for " + replica + " to replay up to " + request.lsn() + " (action " + id + ")";
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(request.timeoutSeconds()).toNanos();
    try (Connection connection = connector.open();
        PreparedStatement query = connection.prepareStatement(REPLAY_GAP)) {
      query.setString(1, request.lsn());
      while (true) {
        ReplayProgress progress;
        try (ResultSet rs = query.executeQuery()) {
          rs.next();
          progress =
              new ReplayProgress(
                  replica,
                  request.lsn(),
                  rs.getString(1),
                  rs.getLong(2),
                  Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
        if (progress.replayLsn() != null && progress.gapBytes() == 0) {
          log.info(
              "action {}: {} replayed up to {} after {} ms",
              id,
              replica,
              request.lsn(),
              progress.waitedMillis());
          return progress;
        }
        if (System.nanoTime() > deadline) {
          throw ApplicationFailure.newNonRetryableFailure(
              doing
                  + ": not reached after "
                  + request.timeoutSeconds()
                  + " s; replayed up to "
                  + progress.replayLsn()
                  + ", "
                  + progress.gapBytes()
                  + " bytes of WAL behind",
              REPLAY_TIMEOUT,
              progress);
        }
        heartbeat.accept(progress);
        PostgresActivitiesImpl.sleep(REPLAY_POLL_INTERVAL);
      }
    } catch (SQLException e) {
      throw classify(connector, e, doing);
    }
  }

  @Override
  public PromotionResult promote(PromoteRequest request) {
    if (request == null) {
      throw FailureTypes.invalidInput("promote needs a request");
    }
    String id = PostgresActivitiesImpl.requireActionId(request.actionId());
    String candidate = request.candidate();
    PostgresConnector connector = members.connector("candidate", candidate);
    if (request.formerPrimary() != null) {
      members.connector("formerPrimary", request.formerPrimary());
      if (request.formerPrimary().equals(candidate)) {
        throw FailureTypes.invalidInput(
            "candidate and formerPrimary must be two members, both are " + candidate);
      }
    }
    String doing = "promoting " + candidate + " (action " + id + ")";
    try (Connection connection = connector.open()) {
      if (!PostgresActivitiesImpl.inRecovery(connection)) {
        log.info("action {}: {} is not in recovery, already primary; nothing to do", id, candidate);
        return new PromotionResult(id, candidate, false, true, replayLsn(connection));
      }
      if (request.formerPrimary() != null) {
        requireFormerPrimaryFenced(request.formerPrimary(), doing);
      }
      long deadline = System.nanoTime() + PROMOTE_WAIT.toNanos();
      while (PostgresActivitiesImpl.inRecovery(connection)) {
        if (System.nanoTime() > deadline) {
          throw FailureTypes.retryable(
              doing + ": still in recovery after " + PROMOTE_WAIT.toSeconds() + " s",
              UNAVAILABLE,
              null);
        }
        try (PreparedStatement statement = connection.prepareStatement(PROMOTE)) {
          statement.setInt(1, PROMOTE_STEP_SECONDS);
          statement.execute();
        } catch (SQLException e) {
          // 55000: recovery ended between our check and the call; the loop sees it next.
          if (!"55000".equals(e.getSQLState())) {
            throw e;
          }
        }
        heartbeat.accept("waiting for " + candidate + " to leave recovery");
      }
      String replayed = replayLsn(connection);
      log.info("action {}: {} promoted to primary, replayed up to {}", id, candidate, replayed);
      return new PromotionResult(id, candidate, true, false, replayed);
    } catch (SQLException e) {
      throw classify(connector, e, doing);
    }
  }

  @Override
  public WritableCheck verifyWritable(String member) {
    PostgresConnector connector = members.connector("member", member);
    try (Connection connection = connector.open()) {
      if (PostgresActivitiesImpl.inRecovery(connection)) {
        return new WritableCheck(member, false, true, true, null, "in recovery (a standby)");
      }
      try (Statement statement = connection.createStatement()) {
        try (ResultSet rs = statement.executeQuery(NEW_TRANSACTION_READ_ONLY)) {
          rs.next();
          if (rs.getBoolean(1)) {
            return new WritableCheck(
                member, false, false, true, null, "new transactions are read-only (fenced)");
          }
        }
        try (ResultSet rs = statement.executeQuery(TXID)) {
          rs.next();
          return new WritableCheck(member, true, false, false, rs.getLong(1), null);
        }
      }
    } catch (SQLException e) {
      throw classify(connector, e, "checking that " + member + " takes writes");
    }
  }

  /**
   * Refuses the promotion while the former primary could still commit: reachable, not a standby and
   * its new transactions read-write. A down former primary is what a failover expects.
   */
  private void requireFormerPrimaryFenced(String formerPrimary, String doing) {
    MemberProbe probe = probe(formerPrimary);
    if (probe.up() && !probe.inRecovery() && !probe.fenced()) {
      throw ApplicationFailure.newNonRetryableFailure(
          doing
              + " refused: the former primary "
              + formerPrimary
              + " is up and takes writes; fence it first, or two primaries would accept writes",
          FORMER_PRIMARY_WRITABLE);
    }
  }

  private static Set<Integer> endWriteSessions(Connection connection) throws SQLException {
    Set<Integer> ended = new TreeSet<>();
    try (PreparedStatement statement = connection.prepareStatement(END_WRITE_SESSIONS)) {
      statement.setString(1, IdleSessionPolicy.CLIENT_BACKEND);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(2)) {
            ended.add(rs.getInt(1));
          }
        }
      }
    }
    return ended;
  }

  /** Whether a transaction in a new session starts read-only, as every client's next one will. */
  private static boolean newTransactionReadOnly(PostgresConnector connector) throws SQLException {
    try (Connection fresh = connector.open();
        Statement statement = fresh.createStatement();
        ResultSet rs = statement.executeQuery(NEW_TRANSACTION_READ_ONLY)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** A reload reaches new sessions once the postmaster has read the file; that takes moments. */
  private static void awaitNewTransactions(
      PostgresConnector connector, boolean readOnly, String doing) throws SQLException {
    long deadline = System.nanoTime() + SETTLE_WAIT.toNanos();
    while (newTransactionReadOnly(connector) != readOnly) {
      if (System.nanoTime() > deadline) {
        throw FailureTypes.retryable(
            doing
                + ": new transactions are still "
                + (readOnly ? "read-write" : "read-only")
                + " after "
                + SETTLE_WAIT.toSeconds()
                + " s (is default_transaction_read_only set in postgresql.conf, per role or per"
                + " database?)",
            PostgresActivitiesImpl.POSTGRES_ERROR,
            null);
      }
      PostgresActivitiesImpl.sleep(POLL_INTERVAL);
    }
  }

  private static String replayLsn(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(REPLAY_LSN)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static ApplicationFailure classify(
      PostgresConnector connector, SQLException error, String doing) {
    return PostgresActivitiesImpl.classify(connector, error, doing);
  }
}
