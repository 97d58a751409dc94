package dev.opsflow.activities.postgres;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Questions and actions on the watched PostgreSQL server, over plain JDBC with bind parameters.
 * Every call opens one short-lived connection (see {@link PostgresConnector}). Run reads with
 * {@link PostgresOptions#READ_POSTGRES}, {@link #terminateIdleSessions} and {@link
 * #setDefaultReadOnly} with {@link PostgresOptions#MUTATING_POSTGRES}, {@link #promote} with {@link
 * PostgresOptions#PROMOTE_POSTGRES}. Nothing here changes a schema or a row.
 *
 * <p>Failures, the same for every method: {@code PermissionDenied} when the server refuses our
 * credentials (SQLSTATE 28P01, 28000) or privileges (42501); {@code NotFound} when the database
 * does not exist (3D000); {@code InvalidInput} for a bad request (all non-retryable). A server that
 * cannot be reached, times out, is starting or shutting down, or has no free slot fails the attempt
 * with the retryable type {@value PostgresActivitiesImpl#UNAVAILABLE}; other SQL errors with the
 * retryable type {@value PostgresActivitiesImpl#POSTGRES_ERROR}. The password never appears in a
 * message.
 *
 * <p>The configured user should be a superuser, or hold {@code pg_monitor} and {@code
 * pg_signal_backend} for the reads and the cleanup. Only superusers may use the slots of {@code
 * superuser_reserved_connections}, which are what lets the cleanup connect to a full server.
 */
@ActivityInterface
public interface PostgresActivities {

  /**
   * Counts client sessions against {@code max_connections}, by state.
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PermissionDenied}, {@code NotFound}, or a
   *     retryable failure, as described on this interface
   */
  @ActivityMethod
  ConnectionUsage connectionUsage();

  /**
   * Ends client sessions that have been in state {@code idle} longer than the request's bound
   * ({@code pg_terminate_backend}), then waits up to a few seconds for them to exit. Never ends
   * this activity's own session, sessions that are not ordinary clients (WAL senders, autovacuum,
   * background workers), sessions {@code idle in transaction} or active ones, nor superusers'
   * sessions unless the request asks for them. Which sessions were spared, and why, is counted in
   * the result.
   *
   * <p>Idempotent: the sessions ended are gone, so a second call with the same request finds
   * nothing left to end (only sessions that have become idle long enough since).
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing request or
   *     action id or a negative bound; {@code InvalidName} for a database name that cannot be one
   *     ({@link PostgresNames}); {@code NotFound} if the requested database does not exist; {@code
   *     PermissionDenied} if our role may not end a chosen session (it needs {@code
   *     pg_signal_backend}, and superuser for superusers' sessions) — then none is ended; or a
   *     retryable failure
   */
  @ActivityMethod
  TerminateIdleResult terminateIdleSessions(TerminateIdleRequest request);

  /**
   * Fences or unfences writes for new transactions: sets {@code default_transaction_read_only} with
   * {@code ALTER SYSTEM} and reloads the configuration ({@code pg_reload_conf()}), then waits until
   * a new session sees the value. Sessions may still override it with {@code SET}, so this stops
   * well-behaved applications, not a determined one. Changes no schema and no data.
   *
   * <p>Idempotent: when new sessions already see the requested value nothing is done and the result
   * says {@code changed = false}.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id;
   *     {@code PermissionDenied} if our role may not use {@code ALTER SYSTEM} (superuser only
   *     before PostgreSQL 15); a retryable failure if the server is unreachable or the reload is
   *     not visible to new sessions within a few seconds
   */
  @ActivityMethod
  ReadOnlyFence setDefaultReadOnly(String actionId, boolean readOnly);

  /**
   * Reports whether this server is a standby and how far behind it is, and on a primary the
   * standbys streaming from it ({@code pg_stat_replication}).
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PermissionDenied}, {@code NotFound}, or a
   *     retryable failure, as described on this interface
   */
  @ActivityMethod
  ReplicationStatus replicationStatus();

  /**
   * Promotes a standby to primary ({@code pg_promote}) and waits, heartbeating, until it has left
   * recovery. On a server that is not in recovery nothing is done and the result says {@code
   * alreadyPrimary}.
   *
   * <p>Idempotent: a second call, or a retry after a lost answer, finds a primary and does nothing.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id;
   *     {@code PermissionDenied} if our role may not call {@code pg_promote}; a retryable failure
   *     if the server is unreachable or still in recovery after {@link
   *     PostgresActivitiesImpl#PROMOTE_WAIT}
   */
  @ActivityMethod
  Promotion promote(String actionId);
}
