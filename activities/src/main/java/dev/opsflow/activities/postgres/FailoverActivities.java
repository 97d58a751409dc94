package dev.opsflow.activities.postgres;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The steps of a PostgreSQL switchover or failover, on cluster members named as the worker's
 * configuration knows them ({@link PostgresMembers}): probe, compare replication positions, fence
 * the primary, take its final WAL position, wait until the replica has replayed it, promote the
 * replica and check it takes writes. A switchover runs {@code fence -> finalLsn -> waitForReplay ->
 * promote -> verifyWritable}; its undo before the promotion is {@link #unfence}. Run the calls with
 * the profiles of {@link FailoverOptions}. Nothing here changes a schema or a row. Activity types
 * are prefixed {@code Failover} ({@code FailoverProbe}, {@code FailoverPromote}): {@code probe} and
 * {@code promote} exist in other activity sets of the same worker.
 *
 * <p>Every mutating call takes an action id and compares the wanted state with the actual one
 * first, so a retry after a lost answer changes nothing twice.
 *
 * <p>Failures: {@code InvalidInput} for a bad request; {@code InvalidName} for a member name that
 * cannot be one; {@code NotConfigured} for a member the worker does not know; {@code
 * PermissionDenied} when a server refuses our role (all non-retryable). An unreachable server fails
 * the attempt with the retryable {@value PostgresActivitiesImpl#UNAVAILABLE} (except in {@link
 * #probe} and for the primary in {@link #replicationState}, where "down" is an answer), other SQL
 * errors with the retryable {@value PostgresActivitiesImpl#POSTGRES_ERROR}. Passwords never appear
 * in a message. The configured role must be a superuser ({@code ALTER SYSTEM} and {@code
 * pg_promote} need it on PostgreSQL 14).
 */
@ActivityInterface(namePrefix = "Failover")
public interface FailoverActivities {

  /**
   * Opens one session to the member and reads its role and WAL positions. An unreachable member
   * (refused, timed out, starting, shutting down) is reported as {@code up = false} with the
   * reason, not thrown, so repeated probes can confirm an outage.
   *
   * <p>Read-only.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PermissionDenied}: a member that refuses
   *     our credentials is up, and no failover will fix that
   */
  @ActivityMethod
  MemberProbe probe(String member);

  /**
   * Reads both ends of the replication: the replica's WAL receiver and positions, the primary's
   * flushed position and its {@code pg_stat_replication} row for this replica (matched by the
   * replica's slot, else the only row), and from them the lag in bytes and seconds. A primary that
   * cannot be reached is reported ({@code primaryUp = false}), not thrown.
   *
   * <p>Read-only.
   *
   * @throws io.temporal.failure.ApplicationFailure a retryable failure if the replica cannot be
   *     reached: without it there is nothing to decide on
   */
  @ActivityMethod
  ReplicationState replicationState(String primary, String replica);

  /**
   * Fences the primary's writes: {@code ALTER SYSTEM SET default_transaction_read_only = on} and
   * {@code pg_reload_conf()}, waits until a new session's transaction is read-only, then (if asked)
   * ends the client sessions with an open transaction and waits for them to exit: a transaction
   * that began before its session took in the reload keeps the read-write mode it started with, and
   * which ones did cannot be seen from outside, so read-only ones are ended too. Idle sessions
   * stay: their next transaction is read-only. A session that overrides the default with {@code
   * SET} is not stopped by the fence.
   *
   * <p>Idempotent: on a fenced member the configuration is left alone ({@code changed = false});
   * the sweep of write sessions runs again, so a retry after a crash between the reload and the
   * sweep finishes the job.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id; a
   *     retryable failure if new sessions do not see the fence within a few seconds (set per role
   *     or database?)
   */
  @ActivityMethod
  FenceResult fence(FenceRequest request);

  /**
   * Lifts a fence: {@code ALTER SYSTEM RESET default_transaction_read_only} and {@code
   * pg_reload_conf()}, then waits until a new session's transaction is read-write. The undo of
   * {@link #fence}, for a switchover abandoned before the promotion.
   *
   * <p>Idempotent: on a member whose new transactions are already read-write nothing is done
   * ({@code changed = false}).
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id; a
   *     retryable failure if new sessions stay read-only (the setting also comes from {@code
   *     postgresql.conf}, a role or a database)
   */
  @ActivityMethod
  FenceResult unfence(String actionId, String member);

  /**
   * The fenced primary's final WAL position: it forces a WAL segment switch ({@code
   * pg_switch_wal()}) and returns the end of the switch record. Every commit acknowledged before
   * the call is before it, and the switch flushes and streams them all. The flushed position
   * ({@code pg_current_wal_flush_lsn()}) was not enough: under write load the IT once saw
   * acknowledged commits past it, which a replica promoted there lost (the sandbox runs with {@code
   * fsync = off}; the cause was not pinned down). With no WAL since the last switch, nothing is
   * switched and the position is the start of the current segment.
   *
   * <p>Not read-only (one segment of WAL), but safe to retry: a second call returns a later
   * position, which only makes the wait a little longer.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@value
   *     FailoverActivitiesImpl#NOT_FENCED} if new transactions on the primary are not read-only: a
   *     position taken before the fence would let later writes be lost
   */
  @ActivityMethod
  FinalPosition finalLsn(String actionId, String primary);

  /**
   * Waits until the replica has replayed up to the request's position ({@code
   * pg_last_wal_replay_lsn()} compared with {@code pg_wal_lsn_diff}), heartbeating the gap as a
   * {@link ReplayProgress} every poll.
   *
   * <p>Read-only, so a retry simply waits again.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing or malformed
   *     position or a timeout outside 1-3600 s; non-retryable {@value
   *     FailoverActivitiesImpl#REPLAY_TIMEOUT} past the timeout, its message and details ({@link
   *     ReplayProgress}) giving the target, the replayed position and the gap in bytes
   */
  @ActivityMethod
  ReplayProgress waitForReplay(ReplayRequest request);

  /**
   * Promotes the candidate ({@code pg_promote(wait => true)}, a few seconds at a time, heartbeating
   * in between) and returns once it has left recovery. If the request names the former primary and
   * it is reachable, it must be in recovery or fenced first: two writable primaries would split the
   * cluster's history. An unreachable former primary (a failover) does not stop the promotion.
   *
   * <p>Idempotent: a candidate that already left recovery is not touched ({@code alreadyPrimary}).
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id;
   *     non-retryable {@value FailoverActivitiesImpl#FORMER_PRIMARY_WRITABLE} if the former primary
   *     still takes writes; a retryable failure if the candidate is unreachable or still in
   *     recovery after {@link FailoverActivitiesImpl#PROMOTE_WAIT}
   */
  @ActivityMethod
  PromotionResult promote(PromoteRequest request);

  /**
   * Checks that the member takes writes now: out of recovery, a new transaction is read-write, and
   * {@code txid_current()} assigns it a transaction id (no table needed). A member that does not is
   * a result ({@code writable = false} with the reason), not a failure.
   *
   * <p>Read-only in effect: the transaction id is assigned and committed with no data.
   *
   * @throws io.temporal.failure.ApplicationFailure a retryable failure if the member is unreachable
   */
  @ActivityMethod
  WritableCheck verifyWritable(String member);
}
