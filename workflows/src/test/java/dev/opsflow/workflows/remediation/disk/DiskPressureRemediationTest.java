package dev.opsflow.workflows.remediation.disk;

import static dev.opsflow.workflows.remediation.RemediationTestKit.df;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiskPressureRemediationTest {
  private static final Target TARGET = new WorkloadTarget("demo", "web", "app", "app=web");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void deletesOnlyOldLogsUnderTheConfiguredPathsThenVerifies() {
    when(kit.k8s.execInPods(argThat(r -> r != null && r.command().get(0).equals("df"))))
        .thenReturn(df(91), df(52));
    when(kit.k8s.execInPods(argThat(r -> r != null && r.command().get(0).equals("find"))))
        .thenReturn(
            List.of(new ExecOutput("web-1", 0, "/var/log/app/a.log\n/var/log/app/b.log.1\n", "")));
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "DiskPressureRemediation",
            TARGET,
            "medium",
            RemediationTestKit.policy(),
            firing("DiskSpaceHigh", "2026-11-23T10:00:00Z"));
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1))
        .execInPods(
            argThat(
                r ->
                    r != null
                        && r.command().equals(LogCleanup.deleteCommand("/var/log/app", 7))
                        && r.namespace().equals("demo")
                        && r.labelSelector().equals("app=web")));
    assertThat(outcome.detail()).startsWith("2 old log files deleted");
  }
}
