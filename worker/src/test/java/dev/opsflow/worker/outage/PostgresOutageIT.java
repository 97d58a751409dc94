package dev.opsflow.worker.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.sandbox.postgres.SandboxPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL becomes unreachable for opsflow just as a connection remediation is about to end the
 * idle sessions: its JDBC URL names a {@link TcpRelay} in front of the embedded server, and the
 * test cuts it before the first attempt of the termination. The application's idle sessions hold
 * their own connections to the server, so they stay, as they would behind a partition.
 *
 * <p>The termination runs under {@code PostgresOptions.MUTATING_POSTGRES}: at most 3 attempts, 2 s
 * doubling to 10 s, within 3 minutes.
 */
class PostgresOutageIT {
  private static final int IDLE = 120;

  private static SandboxPostgres postgres;
  private static TcpRelay database;
  private OutageStage stage;
  private List<Connection> idle;

  @BeforeAll
  static void startDatabase() {
    postgres = SandboxPostgres.start(200);
    database = TcpRelay.to(postgres.port());
  }

  @AfterAll
  static void stopDatabase() {
    database.close();
    postgres.close();
  }

  @BeforeEach
  void start() throws Exception {
    idle = postgres.openIdleConnections(IDLE, "leaking-pool");
    stage =
        new OutageStage(
            Map.of(
                "POSTGRES_URL",
                postgres
                    .jdbcUrl()
                    .replace(":" + postgres.port() + "/", ":" + database.port() + "/"),
                "POSTGRES_USER",
                postgres.user(),
                "POSTGRES_CONN_THRESHOLD",
                "50",
                "IDLE_SESSION_AGE",
                "1s"),
            UnaryOperator.identity());
    // Setup, not an assertion: the sessions must have been idle longer than IDLE_SESSION_AGE.
    Thread.sleep(1_500);
  }

  @AfterEach
  void stop() throws Exception {
    stage.close();
    database.restore();
    for (Connection c : idle) {
      c.close();
    }
  }

  private static RemediationRequest tooManyConnections() {
    return new RemediationRequest(
        "PostgresConnectionRemediation",
        new DatabaseTarget(""),
        new RunEnvelope(
            "critical",
            OutageStage.firing("PostgresTooManyConnections"),
            RemediationRequest.AUTOMATON,
            null),
        null,
        null);
  }

  private static boolean alive(Connection c) {
    try (var st = c.createStatement()) {
      st.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Test
  void aDatabaseCutBeforeTheTerminationComesBackAndTheIdleSessionsEndOnce() {
    stage.script.before("TerminateIdleSessions", 1, 1, database::cut);
    stage.script.before("TerminateIdleSessions", 1, 2, database::restore);
    RemediationRequest request = tooManyConnections();

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.FIXED);
    assertThat(stage.attempts(request.workflowId(), "TerminateIdleSessions"))
        .as("refused once, ended the sessions on the second attempt")
        .containsExactly(2);
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).startsWith(IDLE + " sessions idle > 1s terminated"));
    assertThat(idle).noneMatch(PostgresOutageIT::alive);
    assertThat(stage.pagerDutyEvents).as("fixed without paging anyone").isEmpty();
    stage.awaitSlotReleased(request.workflowId());
  }

  @Test
  void aDatabaseAwayDuringVerificationEscalatesAsUnverifiedNotAsActiveLoad() {
    // The second usage reading is the verification, after the sessions were ended.
    stage.script.before("ConnectionUsage", 2, 1, database::cut);
    RemediationRequest request = tooManyConnections();

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail())
        .startsWith("could not verify the connections after ending " + IDLE + " idle sessions")
        .contains("[PostgresUnavailable]")
        .doesNotContain("active sessions");
    assertThat(stage.attempts(request.workflowId(), "ConnectionUsage"))
        .as("READ_POSTGRES: every attempt, then no more")
        .containsExactly(1, 5);
    assertThat(idle).noneMatch(PostgresOutageIT::alive);
    assertThat(stage.slackTexts)
        .anySatisfy(t -> assertThat(t).contains(request.workflowId()).contains("could not verify"));
    stage.awaitSlotReleased(request.workflowId());
  }

  @Test
  void aDatabaseAwayPastTheRetryBudgetEscalatesWithTheReasonAndEndsNoSession() {
    stage.script.before("TerminateIdleSessions", 1, 1, database::cut);
    RemediationRequest request = tooManyConnections();

    RemediationOutcome outcome = stage.remediate(request);

    assertThat(outcome.result()).as(outcome.detail()).isEqualTo(Phase.ESCALATED);
    assertThat(stage.attempts(request.workflowId(), "TerminateIdleSessions"))
        .as("every attempt of MUTATING_POSTGRES, then no more")
        .containsExactly(3);
    assertThat(outcome.detail())
        .contains("terminating idle sessions failed")
        .contains("refused")
        .contains("[PostgresUnavailable]");
    assertThat(idle).as("no session ended").allMatch(PostgresOutageIT::alive);
    assertThat(stage.slackTexts)
        .anySatisfy(
            t -> assertThat(t).contains(request.workflowId()).contains("[PostgresUnavailable]"));
    assertThat(stage.pagerDutyEvents)
        .anySatisfy(e -> assertThat(e.path("dedup_key").asText()).isEqualTo(request.workflowId()));
    stage.awaitSlotReleased(request.workflowId());
  }
}
