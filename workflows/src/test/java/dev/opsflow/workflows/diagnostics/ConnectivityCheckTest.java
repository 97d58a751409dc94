package dev.opsflow.workflows.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.contracts.diagnostics.ConnectivityCheck;
import dev.opsflow.contracts.diagnostics.ConnectivityCheckInput;
import dev.opsflow.contracts.diagnostics.ConnectivityReport;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectivityCheckTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(ConnectivityCheckImpl.class)
          .setDoNotStart(true)
          .build();

  private static final ProbeTarget KAFKA = new ProbeTarget("kafka", "kafka:9092");
  private static final ProbeTarget POSTGRES =
      new ProbeTarget("postgres", "jdbc:postgresql://db:5432/app");

  private ConnectivityActivities activities(TestWorkflowEnvironment env, Worker worker) {
    // withoutAnnotations: Temporal needs the interface's annotations, not Mockito's subclass ones.
    ConnectivityActivities activities =
        mock(ConnectivityActivities.class, withSettings().withoutAnnotations());
    when(activities.configuredTargets()).thenReturn(List.of(KAFKA, POSTGRES));
    when(activities.probe(KAFKA)).thenReturn(new ProbeResult("kafka", "kafka:9092", true, 3, null));
    when(activities.probe(POSTGRES))
        .thenReturn(
            new ProbeResult(
                "postgres", POSTGRES.endpoint(), false, 3000, "SocketTimeoutException"));
    worker.registerActivitiesImplementations(activities);
    env.start();
    return activities;
  }

  private static ConnectivityCheck stub(WorkflowClient client, WorkflowOptions options) {
    return client.newWorkflowStub(ConnectivityCheck.class, options);
  }

  @Test
  void probesEveryConfiguredSystemAndReportsTheUnreachableOne(
      TestWorkflowEnvironment env, WorkflowClient client, WorkflowOptions options, Worker worker) {
    ConnectivityActivities activities = activities(env, worker);

    ConnectivityReport report = stub(client, options).check(new ConnectivityCheckInput(List.of()));

    assertThat(report.results())
        .extracting(ProbeResult::system)
        .containsExactly("kafka", "postgres");
    assertThat(report.results()).extracting(ProbeResult::reachable).containsExactly(true, false);
    assertThat(report.allReachable()).isFalse();
    verify(activities, times(1)).probe(KAFKA);
    verify(activities, times(1)).probe(POSTGRES);
  }

  @Test
  void probesOnlyTheSystemsAskedFor(
      TestWorkflowEnvironment env, WorkflowClient client, WorkflowOptions options, Worker worker) {
    ConnectivityActivities activities = activities(env, worker);

    ConnectivityReport report =
        stub(client, options).check(new ConnectivityCheckInput(List.of("kafka")));

    assertThat(report.results()).extracting(ProbeResult::system).containsExactly("kafka");
    assertThat(report.allReachable()).isTrue();
    verify(activities, never()).probe(POSTGRES);
    verify(activities, times(1)).probe(any());
  }

  @Test
  void aMissingInputMeansAllSystems(
      TestWorkflowEnvironment env, WorkflowClient client, WorkflowOptions options, Worker worker) {
    activities(env, worker);

    ConnectivityReport report = stub(client, options).check(null);

    assertThat(report.results()).hasSize(2);
  }
}
