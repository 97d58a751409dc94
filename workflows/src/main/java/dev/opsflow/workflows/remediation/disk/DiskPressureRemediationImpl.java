package dev.opsflow.workflows.remediation.disk;

import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.activities.kubernetes.ExecRequest;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.contracts.remediation.DiskPressureRemediation;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.RemediationHandlers;
import io.temporal.workflow.Workflow;
import java.util.List;

public class DiskPressureRemediationImpl extends RemediationHandlers
    implements DiskPressureRemediation {
  static final String ACTION = "delete_old_logs";
  private static final long EXEC_TIMEOUT_SECONDS = 120;

  private final KubernetesActivities exec =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.EXEC_IN_PODS);

  @Override
  protected RemediationOutcome runbook(RemediationRequest request) {
    WorkloadTarget target = request.target(WorkloadTarget.class);
    HealingPolicy policy = run.policy();
    var stop =
        run.confirmAndAdmitCheck(
            () -> usage(target, policy, policy.diskSpaceThreshold()),
            "disk usage below the threshold",
            "delete log files older than "
                + policy.logMaxAgeDays()
                + "d under "
                + policy.logPaths()
                + " in pods "
                + target.namespace()
                + "/"
                + target.effectivePodSelector());
    if (stop.isPresent()) {
      return stop.get();
    }
    int deleted = 0;
    for (String path : policy.logPaths()) {
      // One path's cleanup may be skipped by a human (e.g. a volume cleaned by hand): the next
      // path still gets its turn, and verification decides whether it was enough.
      var result =
          run.actOrSkip(
              ACTION,
              target.namespace() + "/" + target.effectivePodSelector() + ":" + path,
              () ->
                  exec.execInPods(
                      execRequest(target, LogCleanup.deleteCommand(path, policy.logMaxAgeDays()))),
              outputs ->
                  LogCleanup.deletedFiles(outputs)
                      + " log files older than "
                      + policy.logMaxAgeDays()
                      + "d deleted in "
                      + outputs.size()
                      + " pods",
              List.<ExecOutput>of());
      if (result.isEmpty()) {
        return run.escalate("deleting old logs under " + path + " failed");
      }
      List<ExecOutput> failed = ExecOutput.failed(result.get());
      if (run.currentKernel() && !failed.isEmpty()) {
        // find's exit code counts: files it could not reach or delete are not "cleaned".
        return run.escalate(
            "deleting old logs under "
                + path
                + " failed: "
                + String.join(", ", failed.stream().map(ExecOutput::outcome).toList()));
      }
      deleted += LogCleanup.deletedFiles(result.get());
    }
    // Fixed means below the threshold: usage at the threshold itself still counts as too high.
    Check after = run.verifyCheck(() -> usage(target, policy, policy.diskSpaceThreshold() - 1));
    if (after.unknown()) {
      return run.escalate(
          "could not read disk usage after deleting "
              + deleted
              + " old log files: "
              + after.reading());
    }
    if (!after.healthy()) {
      return run.escalate(
          "disk usage still at or above "
              + policy.diskSpaceThreshold()
              + "% after deleting "
              + deleted
              + " old log files");
    }
    return run.fixed(
        deleted + " old log files deleted; disk usage below " + policy.diskSpaceThreshold() + "%");
  }

  private Check usage(WorkloadTarget target, HealingPolicy policy, int threshold) {
    return LogCleanup.usage(exec, target, policy.logPaths(), threshold, EXEC_TIMEOUT_SECONDS);
  }

  private static ExecRequest execRequest(WorkloadTarget target, List<String> command) {
    return new ExecRequest(
        Workflow.randomUUID().toString(),
        target.namespace(),
        target.effectivePodSelector(),
        target.container(),
        command,
        EXEC_TIMEOUT_SECONDS);
  }
}
