package dev.opsflow.workflows.diagnostics;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.activities.diagnostics.ConnectivityOptions;
import dev.opsflow.contracts.diagnostics.ConnectivityCheck;
import dev.opsflow.contracts.diagnostics.ConnectivityCheckInput;
import dev.opsflow.contracts.diagnostics.ConnectivityReport;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.List;

public class ConnectivityCheckImpl implements ConnectivityCheck {
  private final ConnectivityActivities connectivity =
      Workflow.newActivityStub(ConnectivityActivities.class, ConnectivityOptions.PROBE);

  private List<Promise<ProbeResult>> probes = List.of();
  private boolean done;

  @Override
  public ConnectivityReport status() {
    List<ProbeResult> answered =
        probes.stream()
            .filter(p -> p.isCompleted() && p.getFailure() == null)
            .map(Promise::get)
            .toList();
    return new ConnectivityReport(
        answered, done && answered.stream().allMatch(ProbeResult::reachable));
  }

  @Override
  public ConnectivityReport check(ConnectivityCheckInput input) {
    ConnectivityCheckInput request = input == null ? new ConnectivityCheckInput(null) : input;
    List<ProbeTarget> targets =
        connectivity.configuredTargets().stream()
            .filter(t -> request.systems().isEmpty() || request.systems().contains(t.system()))
            .toList();
    // Probe in parallel: one slow system must not hold up the report on the others.
    probes = targets.stream().map(t -> Async.function(connectivity::probe, t)).toList();
    List<ProbeResult> results = probes.stream().map(Promise::get).toList();
    done = true;
    Workflow.getLogger(ConnectivityCheckImpl.class)
        .info(
            "Connectivity check: {} of {} reachable",
            results.stream().filter(ProbeResult::reachable).count(),
            results.size());
    return new ConnectivityReport(results, results.stream().allMatch(ProbeResult::reachable));
  }
}
