package dev.opsflow.activities.postgres;

import java.util.Optional;

/**
 * Which sessions an idle-session cleanup may end. A session is ended only if it is an ordinary
 * client session (never a WAL sender, autovacuum or background worker), not the cleanup's own, in
 * the requested database, not a superuser's unless asked, and in state {@code idle} for longer than
 * the bound. Sessions {@code idle in transaction} are never ended: they hold locks and their work
 * would be rolled back.
 */
final class IdleSessionPolicy {
  static final String OWN_SESSION = "own session";
  static final String NOT_CLIENT_BACKEND = "not a client backend";
  static final String OTHER_DATABASE = "other database";
  static final String SUPERUSER_SESSION = "superuser session";
  static final String STATE_NOT_VISIBLE = "state not visible";
  static final String NOT_IDLE = "not idle";
  static final String IDLE_TOO_BRIEFLY = "idle too briefly";

  static final String CLIENT_BACKEND = "client backend";
  static final String IDLE = "idle";

  /**
   * A row of {@code pg_stat_activity}.
   *
   * @param state null when our role may not see other roles' sessions (needs pg_read_all_stats)
   * @param stateAgeSeconds seconds since {@code state_change}; null when not visible
   */
  record Session(
      int pid,
      String backendType,
      String database,
      boolean superuser,
      String state,
      Double stateAgeSeconds,
      boolean own) {}

  private final long idleLongerThanSeconds;
  private final String database;
  private final boolean includeSuperuserSessions;

  /**
   * @param database null or empty for every database
   */
  IdleSessionPolicy(long idleLongerThanSeconds, String database, boolean includeSuperuserSessions) {
    this.idleLongerThanSeconds = idleLongerThanSeconds;
    this.database = database == null || database.isBlank() ? null : database;
    this.includeSuperuserSessions = includeSuperuserSessions;
  }

  /** Empty when {@code session} may be ended, else the reason it is spared. */
  Optional<String> reasonToSpare(Session session) {
    if (session.own()) {
      return Optional.of(OWN_SESSION);
    }
    if (!CLIENT_BACKEND.equals(session.backendType())) {
      return Optional.of(NOT_CLIENT_BACKEND);
    }
    if (database != null && !database.equals(session.database())) {
      return Optional.of(OTHER_DATABASE);
    }
    if (session.superuser() && !includeSuperuserSessions) {
      return Optional.of(SUPERUSER_SESSION);
    }
    if (session.state() == null || session.stateAgeSeconds() == null) {
      return Optional.of(STATE_NOT_VISIBLE);
    }
    if (!IDLE.equals(session.state())) {
      return Optional.of(NOT_IDLE);
    }
    if (session.stateAgeSeconds() <= idleLongerThanSeconds) {
      return Optional.of(IDLE_TOO_BRIEFLY);
    }
    return Optional.empty();
  }
}
