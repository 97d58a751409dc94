package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.Secret;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Input checks and error classification, without a server. */
class PostgresActivitiesImplTest {
  private static final String PASSWORD = "pa55-word-xyz";

  // Port 1 on 127.0.0.1: nothing listens there, but no test below gets as far as connecting.
  private final PostgresActivitiesImpl activities =
      new PostgresActivitiesImpl(
          new PostgresConnector(
              "jdbc:postgresql://127.0.0.1:1/postgres",
              "opsflow",
              Secret.of(PASSWORD),
              Duration.ofSeconds(1),
              Duration.ofSeconds(1)),
          details -> {});

  private static ApplicationFailure failure(Runnable call) {
    return catchThrowableOfType(ApplicationFailure.class, call::run);
  }

  private static void assertType(ApplicationFailure failure, String type, boolean nonRetryable) {
    assertThat(failure).isNotNull();
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
  }

  @Test
  void rejectsANegativeBoundAMissingActionIdAndAMissingRequest() {
    assertType(
        failure(
            () ->
                activities.terminateIdleSessions(
                    new TerminateIdleRequest("a-1", -1, null, false, false))),
        FailureTypes.INVALID_INPUT,
        true);
    assertType(
        failure(
            () ->
                activities.terminateIdleSessions(
                    new TerminateIdleRequest(" ", 60, null, false, false))),
        FailureTypes.INVALID_INPUT,
        true);
    assertType(
        failure(() -> activities.terminateIdleSessions(null)), FailureTypes.INVALID_INPUT, true);
    assertType(
        failure(() -> activities.setDefaultReadOnly(null, true)), FailureTypes.INVALID_INPUT, true);
    assertType(failure(() -> activities.promote("")), FailureTypes.INVALID_INPUT, true);
  }

  @Test
  void refusesAnIllegalDatabaseNameWithoutConnecting() {
    for (String database : new String[] {"orders\u0000", "orders\r\nx", "d".repeat(64)}) {
      ApplicationFailure failure =
          failure(
              () ->
                  activities.terminateIdleSessions(
                      new TerminateIdleRequest("a-1", 60, database, false, false)));
      assertType(failure, FailureTypes.INVALID_NAME, true);
      assertThat(failure.getOriginalMessage()).startsWith("database '");
    }
  }

  @Test
  void refusesAUrlThatIsNotPostgres() {
    PostgresActivitiesImpl mysql =
        new PostgresActivitiesImpl(
            new PostgresConnector(
                "jdbc:mysql://127.0.0.1/db",
                "u",
                Secret.empty(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1)),
            details -> {});
    assertType(failure(mysql::connectionUsage), FailureTypes.NOT_CONFIGURED, true);
  }

  @Test
  void classifiesRefusalsAsFinalAndOutagesAsRetryable() {
    assertType(
        activities.classify(new SQLException("password authentication failed", "28P01"), "x"),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertType(
        activities.classify(new SQLException("role does not exist", "28000"), "x"),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertType(
        activities.classify(new SQLException("must be superuser", "42501"), "x"),
        FailureTypes.PERMISSION_DENIED,
        true);
    assertType(
        activities.classify(new SQLException("database does not exist", "3D000"), "x"),
        FailureTypes.NOT_FOUND,
        true);
    for (String state : new String[] {"08001", "08006", "53300", "57P01", "57P03", "57014"}) {
      assertType(
          activities.classify(new SQLException("outage", state), "x"),
          PostgresActivitiesImpl.UNAVAILABLE,
          false);
    }
    assertType(
        activities.classify(new SQLException("no state", null, new ConnectException()), "x"),
        PostgresActivitiesImpl.UNAVAILABLE,
        false);
    assertType(
        activities.classify(new SQLException("division by zero", "22012"), "x"),
        PostgresActivitiesImpl.POSTGRES_ERROR,
        false);
  }

  @Test
  void neverPutsThePasswordInAMessage() {
    ApplicationFailure failure =
        activities.classify(
            new SQLException("bad thing near '" + PASSWORD + "'", "28P01"), "connecting");

    assertThat(failure.getOriginalMessage()).doesNotContain(PASSWORD).contains("****");
    assertThat(failure.getCause()).isNull();
  }
}
