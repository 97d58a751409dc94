package dev.opsflow.activities.postgres;

/**
 * Which idle sessions {@link PostgresActivities#terminateIdleSessions} may end.
 *
 * @param actionId the workflow's id for this action, for the audit log
 * @param idleLongerThanSeconds only sessions idle (state {@code idle}) for longer than this are
 *     ended; must not be negative
 * @param database only sessions connected to this database; empty or null means every database
 * @param includeSuperuserSessions end superusers' idle sessions too (default false: an operator's
 *     psql session is never ended by accident)
 * @param dryRun report what would be ended, end nothing
 */
public record TerminateIdleRequest(
    String actionId,
    long idleLongerThanSeconds,
    String database,
    boolean includeSuperuserSessions,
    boolean dryRun) {}
