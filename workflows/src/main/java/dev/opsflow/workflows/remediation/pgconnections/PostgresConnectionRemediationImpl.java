package dev.opsflow.workflows.remediation.pgconnections;

import dev.opsflow.activities.postgres.PostgresActivities;
import dev.opsflow.activities.postgres.PostgresOptions;
import dev.opsflow.activities.postgres.TerminateIdleRequest;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.PostgresConnectionRemediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.RemediationHandlers;
import io.temporal.workflow.Workflow;

public class PostgresConnectionRemediationImpl extends RemediationHandlers
    implements PostgresConnectionRemediation {
  static final String ACTION = "terminate_idle_sessions";

  private final PostgresActivities readDb =
      Workflow.newActivityStub(PostgresActivities.class, PostgresOptions.READ_POSTGRES);
  private final PostgresActivities mutateDb =
      Workflow.newActivityStub(PostgresActivities.class, PostgresOptions.MUTATING_POSTGRES);

  @Override
  protected RemediationOutcome runbook(RemediationRequest request) {
    int threshold = run.policy().postgresConnThreshold();
    var stop =
        run.confirmAndAdmit(
            () -> percentUsed() > threshold,
            "connections below the threshold",
            "terminate PostgreSQL sessions idle longer than "
                + run.policy().idleSessionAgeSeconds()
                + "s");
    if (stop.isPresent()) {
      return stop.get();
    }
    String database = request.target(DatabaseTarget.class).database();
    long idleSeconds = run.policy().idleSessionAgeSeconds();
    String where = database.isEmpty() ? "all databases" : "database " + database;
    var ended =
        run.act(
            ACTION,
            where,
            () ->
                mutateDb.terminateIdleSessions(
                    new TerminateIdleRequest(
                        Workflow.randomUUID().toString(), idleSeconds, database, false, false)),
            r -> r.terminated() + " sessions idle > " + idleSeconds + "s terminated");
    if (ended.isEmpty()) {
      return run.escalate("terminating idle sessions failed");
    }
    // Usage that cannot be read (PostgreSQL away past its retry budget) is UNKNOWN: it escalates
    // as such, never as "still above the threshold".
    Check after =
        run.verifyCheck(
            () -> {
              double used = percentUsed();
              return Check.of(used >= threshold, used + "% of connections in use");
            });
    if (after.unknown()) {
      return run.escalate(
          "could not verify the connections after ending "
              + ended.get().terminated()
              + " idle sessions: "
              + after.reading());
    }
    if (!after.healthy()) {
      return run.escalate(
          "connections still at or above "
              + threshold
              + "% after ending "
              + ended.get().terminated()
              + " idle sessions: the load is from active sessions");
    }
    return run.fixed("ended " + ended.get().terminated() + " idle sessions on " + where);
  }

  private double percentUsed() {
    return readDb.connectionUsage().percentUsed();
  }
}
