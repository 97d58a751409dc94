package dev.opsflow.workflows.remediation.pgconnections;

import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.postgres.ConnectionUsage;
import dev.opsflow.activities.postgres.TerminateIdleResult;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresConnectionRemediationTest {
  private static final Target TARGET = new DatabaseTarget("orders");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  private static ConnectionUsage usage(double percent) {
    return new ConnectionUsage(
        200, 3, (int) (percent * 2), Map.of("idle", (int) (percent * 2)), percent);
  }

  private RemediationRequest request() {
    return RemediationTestKit.request(
        "PostgresConnectionRemediation",
        TARGET,
        "high",
        RemediationTestKit.policy(),
        firing("PostgresTooManyConnections", "2026-11-23T10:00:00Z"));
  }

  @Test
  void terminatesIdleSessionsOlderThanTheBoundNeverSuperusers() {
    when(kit.postgres.connectionUsage()).thenReturn(usage(92), usage(40));
    when(kit.postgres.terminateIdleSessions(any()))
        .thenReturn(new TerminateIdleResult("a", false, 100, List.of(), Map.of()));
    kit.start();
    RemediationRequest request = request();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.postgres)
        .terminateIdleSessions(
            argThat(
                r ->
                    r.idleLongerThanSeconds() == 600
                        && r.database().equals("orders")
                        && !r.includeSuperuserSessions()
                        && !r.dryRun()));
    assertThat(outcome.actions())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).startsWith("100 sessions idle > 600s"));
  }

  @Test
  void usageBelowTheThresholdWhenConfirmedMeansNothingIsDone() {
    when(kit.postgres.connectionUsage()).thenReturn(usage(60));
    kit.start();
    RemediationRequest request = request();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.NOT_NEEDED);
    verify(kit.postgres, never()).terminateIdleSessions(any());
  }
}
