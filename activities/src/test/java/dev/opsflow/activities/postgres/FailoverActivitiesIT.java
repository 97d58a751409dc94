package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.config.Secret;
import dev.opsflow.sandbox.postgres.PostgresPair;
import dev.opsflow.sandbox.postgres.PostgresPair.Member;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failover steps against a real primary and streaming replica ({@link PostgresPair}). Tests
 * that leave the pair changed (a promotion, a killed primary) start a pair of their own; the rest
 * share one and leave it as they found it.
 */
class FailoverActivitiesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final String PASSWORD = "not-used-by-trust-but-must-not-leak";
  private static final String PRIMARY = "pg-a";
  private static final String REPLICA = "pg-b";

  private static PostgresPair shared;
  private static FailoverActivitiesImpl sharedActivities;
  private static final List<Object> sharedHeartbeats = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startPair() throws SQLException {
    shared = PostgresPair.start();
    sharedActivities = activitiesFor(shared, sharedHeartbeats);
    execute(shared, Member.PRIMARY, "CREATE TABLE writes (id bigint PRIMARY KEY)");
  }

  @AfterAll
  static void stopPair() {
    if (shared != null) {
      shared.close();
    }
  }

  private static FailoverActivitiesImpl activitiesFor(PostgresPair pair, List<Object> heartbeats) {
    return new FailoverActivitiesImpl(
        new PostgresMembers(
            Map.of(
                PRIMARY, connector(pair.primaryUrl(), pair.user()),
                REPLICA, connector(pair.replicaUrl(), pair.user()))),
        heartbeats::add);
  }

  private static PostgresConnector connector(String url, String user) {
    return new PostgresConnector(url, user, Secret.of(PASSWORD), TIMEOUT, TIMEOUT);
  }

  @Test
  void switchoverUnderWriteLoadKeepsEveryCommittedRowAndMovesWritesToTheNewPrimary()
      throws Exception {
    try (PostgresPair pair = PostgresPair.start()) {
      FailoverActivitiesImpl activities = activitiesFor(pair, new CopyOnWriteArrayList<>());
      execute(pair, Member.PRIMARY, "CREATE TABLE writes (id bigint PRIMARY KEY)");
      Writer writer = new Writer(pair);
      Thread thread = new Thread(writer, "writer");
      thread.start();
      try {
        writer.awaitCommits(200);
        ReplicationState before = activities.replicationState(PRIMARY, REPLICA);
        assertThat(before.streaming()).isTrue();
        assertThat(before.replicaInRecovery()).isTrue();

        long fenceStarted = System.nanoTime();
        FenceResult fence = activities.fence(new FenceRequest("sw-1", PRIMARY, true));
        FinalPosition last = activities.finalLsn("sw-1", PRIMARY);
        long finalAt = System.nanoTime() / 1_000_000;
        ReplayProgress replayed =
            activities.waitForReplay(new ReplayRequest("sw-1", REPLICA, last.lsn(), 30));
        PromotionResult promotion =
            activities.promote(new PromoteRequest("sw-1", REPLICA, PRIMARY));
        WritableCheck writable = activities.verifyWritable(REPLICA);
        long windowMillis = Duration.ofNanos(System.nanoTime() - fenceStarted).toMillis();
        writer.stop();
        thread.join(10_000);

        System.out.printf(
            "switchover: write-unavailability window (fence to promote verified) %d ms;"
                + " %d rows committed before the fence, %d ended sessions, %d refused writes%n",
            windowMillis,
            writer.committed.size(),
            fence.sessionsEnded().size(),
            writer.refused.get());
        assertThat(fence.changed()).isTrue();
        assertThat(fence.fenced()).isTrue();
        assertThat(replayed.gapBytes()).isZero();
        assertThat(promotion.promoted()).isTrue();
        assertThat(promotion.alreadyPrimary()).isFalse();
        assertThat(writable.writable()).isTrue();
        assertThat(writable.transactionId()).isPositive();
        assertThat(windowMillis).as("write-unavailability window, ms").isLessThan(15_000);
        assertThat(writer.refused.get()).as("the writer was refused after the fence").isPositive();

        Set<Long> onNewPrimary = ids(pair, Member.REPLICA);
        assertThat(writer.lastCommitMillis.get())
            .as("no write was acknowledged after the final position was taken")
            .isLessThan(finalAt);
        assertThat(onNewPrimary).containsAll(writer.committed);
        Set<Long> committedOrInDoubt = new TreeSet<>(writer.committed);
        committedOrInDoubt.addAll(writer.inDoubt);
        assertThat(committedOrInDoubt).containsAll(onNewPrimary);

        execute(pair, Member.REPLICA, "INSERT INTO writes VALUES (-1)");
        assertThat(ids(pair, Member.REPLICA)).contains(-1L);
        assertThatThrownBy(() -> execute(pair, Member.PRIMARY, "INSERT INTO writes VALUES (-2)"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("read-only transaction");
        assertThat(activities.verifyWritable(PRIMARY).writable()).isFalse();
        assertThat(activities.verifyWritable(PRIMARY).reason()).contains("read-only");

        PromotionResult again = activities.promote(new PromoteRequest("sw-1", REPLICA, PRIMARY));
        assertThat(again.promoted()).isFalse();
        assertThat(again.alreadyPrimary()).isTrue();
        FenceResult fenceAgain = activities.fence(new FenceRequest("sw-1", PRIMARY, true));
        assertThat(fenceAgain.changed()).isFalse();
        assertThat(fenceAgain.sessionsEnded()).isEmpty();
      } finally {
        writer.stop();
        thread.join(10_000);
      }
    }
  }

  @Test
  void unfenceRestoresWritesAndASecondFenceOrUnfenceChangesNothing() throws Exception {
    FenceResult fenced = sharedActivities.fence(new FenceRequest("f-1", PRIMARY, true));
    try {
      assertThat(fenced.changed()).isTrue();
      assertThatThrownBy(() -> execute(shared, Member.PRIMARY, "INSERT INTO writes VALUES (1)"))
          .hasMessageContaining("read-only transaction");
      assertThat(sharedActivities.probe(PRIMARY).fenced()).isTrue();
      FenceResult second = sharedActivities.fence(new FenceRequest("f-1", PRIMARY, true));
      assertThat(second.changed()).isFalse();
      assertThat(second.fenced()).isTrue();
    } finally {
      FenceResult unfenced = sharedActivities.unfence("f-1", PRIMARY);
      assertThat(unfenced.changed()).isTrue();
      assertThat(unfenced.fenced()).isFalse();
    }
    execute(shared, Member.PRIMARY, "INSERT INTO writes VALUES (1)");
    assertThat(ids(shared, Member.PRIMARY)).contains(1L);
    assertThat(sharedActivities.verifyWritable(PRIMARY).writable()).isTrue();
    assertThat(sharedActivities.unfence("f-1", PRIMARY).changed()).isFalse();
    assertThat(query(shared, Member.PRIMARY, "SHOW default_transaction_read_only"))
        .isEqualTo("off");
  }

  @Test
  void fenceEndsASessionHoldingAnOpenWriteTransaction() throws Exception {
    try (Connection writer = shared.dataSource(Member.PRIMARY).getConnection()) {
      writer.setAutoCommit(false);
      try (Statement statement = writer.createStatement()) {
        statement.execute("INSERT INTO writes VALUES (1000)");
      }
      int pid = backendPid(writer);
      FenceResult fenced = sharedActivities.fence(new FenceRequest("f-2", PRIMARY, true));
      try {
        assertThat(fenced.sessionsEnded()).containsExactly(pid);
        assertThatThrownBy(writer::commit).isInstanceOf(SQLException.class);
      } finally {
        sharedActivities.unfence("f-2", PRIMARY);
      }
    }
    assertThat(ids(shared, Member.PRIMARY)).doesNotContain(1000L);
  }

  @Test
  void waitForReplayPastItsBoundFailsWithTheLsnGap() throws Exception {
    execute(shared, Member.REPLICA, "SELECT pg_wal_replay_pause()");
    try {
      execute(
          shared, Member.PRIMARY, "INSERT INTO writes SELECT g FROM generate_series(10, 500) g");
      String target = query(shared, Member.PRIMARY, "SELECT pg_current_wal_flush_lsn()::text");
      sharedHeartbeats.clear();

      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () -> sharedActivities.waitForReplay(new ReplayRequest("w-1", REPLICA, target, 1)));

      assertThat(failure.getType()).isEqualTo(FailoverActivitiesImpl.REPLAY_TIMEOUT);
      assertThat(failure.isNonRetryable()).isTrue();
      ReplayProgress gap = failure.getDetails().get(ReplayProgress.class);
      assertThat(gap.gapBytes()).isPositive();
      assertThat(gap.targetLsn()).isEqualTo(target);
      assertThat(failure.getOriginalMessage())
          .contains(target)
          .contains(gap.replayLsn())
          .contains(gap.gapBytes() + " bytes of WAL behind");
      assertThat(sharedHeartbeats).isNotEmpty().allMatch(ReplayProgress.class::isInstance);
    } finally {
      execute(shared, Member.REPLICA, "SELECT pg_wal_replay_resume()");
    }
    String target = query(shared, Member.PRIMARY, "SELECT pg_current_wal_flush_lsn()::text");
    ReplayProgress caughtUp =
        sharedActivities.waitForReplay(new ReplayRequest("w-2", REPLICA, target, 30));
    assertThat(caughtUp.gapBytes()).isZero();
  }

  @Test
  void probeAndReplicationStateOfAHealthyPairReportRolesPositionsAndStreaming() {
    MemberProbe primary = sharedActivities.probe(PRIMARY);
    MemberProbe replica = sharedActivities.probe(REPLICA);
    ReplicationState state = sharedActivities.replicationState(PRIMARY, REPLICA);

    assertThat(primary.up()).isTrue();
    assertThat(primary.inRecovery()).isFalse();
    assertThat(primary.flushLsn()).matches("[0-9A-F]+/[0-9A-F]+");
    assertThat(replica.inRecovery()).isTrue();
    assertThat(replica.replayLsn()).isNotNull();
    assertThat(state.primaryUp()).isTrue();
    assertThat(state.streaming()).isTrue();
    assertThat(state.senderState()).isEqualTo("streaming");
    assertThat(state.receiverStatus()).isEqualTo("streaming");
    assertThat(state.lagBytes()).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(state.lagSeconds()).isNotNull();
    assertThat(state.lagSource()).isEqualTo(ReplicationState.FROM_PRIMARY);
    assertThat(state.lagAgeSeconds()).isZero();
  }

  @Test
  void withThePrimaryUnreachableTheLastKnownLagIsItsLastReportToTheStillConnectedReceiver()
      throws Exception {
    // The primary runs and streams, but not where this worker looks: as a partitioned primary
    // looks to the worker while the replica's receiver still holds its connection.
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    FailoverActivitiesImpl partitioned =
        new FailoverActivitiesImpl(
            new PostgresMembers(
                Map.of(
                    PRIMARY,
                    connector("jdbc:postgresql://127.0.0.1:" + closed + "/postgres", shared.user()),
                    REPLICA,
                    connector(shared.replicaUrl(), shared.user()))),
            h -> {});
    ReplicationState state = partitioned.replicationState(PRIMARY, REPLICA);

    assertThat(state.primaryUp()).isFalse();
    assertThat(state.lagSource()).isEqualTo(ReplicationState.FROM_RECEIVER);
    assertThat(state.lagBytes()).isNotNull().isBetween(0L, 16L * 1024 * 1024);
    assertThat(state.lagAgeSeconds()).isNotNull().isBetween(0.0, 120.0);
  }

  @Test
  void refusesAFinalPositionOfAnUnfencedPrimaryAndAPromotionBesideAWritablePrimary() {
    ApplicationFailure notFenced =
        catchThrowableOfType(
            ApplicationFailure.class, () -> sharedActivities.finalLsn("r-1", PRIMARY));
    assertThat(notFenced.getType()).isEqualTo(FailoverActivitiesImpl.NOT_FENCED);

    ApplicationFailure writable =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> sharedActivities.promote(new PromoteRequest("r-1", REPLICA, PRIMARY)));
    assertThat(writable.getType()).isEqualTo(FailoverActivitiesImpl.FORMER_PRIMARY_WRITABLE);
    assertThat(writable.isNonRetryable()).isTrue();
    assertThat(sharedActivities.probe(REPLICA).inRecovery()).as("still a standby").isTrue();
  }

  @Test
  void killedPrimaryProbesDownAndTheReplicaCanStillBePromoted() throws Exception {
    try (PostgresPair pair = PostgresPair.start()) {
      FailoverActivitiesImpl activities = activitiesFor(pair, new CopyOnWriteArrayList<>());
      pair.kill(Member.PRIMARY);

      MemberProbe probe = activities.probe(PRIMARY);
      assertThat(probe.up()).isFalse();
      assertThat(probe.inRecovery()).isNull();
      assertThat(probe.reason()).contains("probing " + PRIMARY).doesNotContain(PASSWORD);
      ReplicationState state = activities.replicationState(PRIMARY, REPLICA);
      // Killed, the primary's connections close: the receiver exits (at once or within moments),
      // and with it the last trace of the primary's position on the replica.
      for (int i = 0; i < 30 && state.receiverStatus() != null; i++) {
        Thread.sleep(500);
        state = activities.replicationState(PRIMARY, REPLICA);
      }
      assertThat(state.primaryUp()).isFalse();
      assertThat(state.receiverStatus()).as("the receiver is gone").isNull();
      assertThat(state.lagBytes()).as("so the lag is unknown: a human decides").isNull();
      assertThat(state.lagSource()).isNull();
      assertThat(state.replayLsn()).isNotNull();

      PromotionResult promotion = activities.promote(new PromoteRequest("fo-1", REPLICA, PRIMARY));
      assertThat(promotion.promoted()).isTrue();
      assertThat(activities.verifyWritable(REPLICA).writable()).isTrue();
    }
  }

  /** Inserts rows one by one, each its own transaction, recording which commits were answered. */
  private static final class Writer implements Runnable {
    private final PostgresPair pair;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final Set<Long> committed = new ConcurrentSkipListSet<>();
    final Set<Long> inDoubt = new ConcurrentSkipListSet<>();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong lastCommitMillis = new AtomicLong();
    private final AtomicLong next = new AtomicLong(1);

    Writer(PostgresPair pair) {
      this.pair = pair;
    }

    void stop() {
      running.set(false);
    }

    void awaitCommits(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (committed.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(committed).hasSizeGreaterThanOrEqualTo(n);
    }

    @Override
    public void run() {
      while (running.get()) {
        try (Connection connection = pair.dataSource(Member.PRIMARY).getConnection();
            PreparedStatement insert =
                connection.prepareStatement("INSERT INTO writes VALUES (?)")) {
          while (running.get()) {
            long id = next.getAndIncrement();
            try {
              insert.setLong(1, id);
              insert.executeUpdate();
              committed.add(id);
              lastCommitMillis.set(System.nanoTime() / 1_000_000);
            } catch (SQLException e) {
              if ("25006".equals(e.getSQLState())) {
                refused.incrementAndGet(); // read-only transaction: nothing was written
              } else {
                inDoubt.add(id); // the session ended mid-statement: the commit may have happened
                throw e;
              }
            }
          }
        } catch (SQLException e) {
          refused.incrementAndGet();
          pause();
        }
      }
    }

    private static void pause() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Set<Long> ids(PostgresPair pair, Member member) throws SQLException {
    Set<Long> ids = new TreeSet<>();
    try (Connection connection = pair.dataSource(member).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM writes")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static int backendPid(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
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
