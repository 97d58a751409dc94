package dev.opsflow.workflows.remediation.crashloop;

import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.activities.kubernetes.RestartRequest;
import dev.opsflow.contracts.remediation.CrashLoopRemediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.PodSignals;
import dev.opsflow.workflows.remediation.RemediationHandlers;
import io.temporal.workflow.Workflow;

public class CrashLoopRemediationImpl extends RemediationHandlers implements CrashLoopRemediation {
  static final String ACTION = "rollout_restart";

  private final KubernetesActivities mutateK8s =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);
  private final KubernetesActivities rollout =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.ROLLOUT_WAIT);

  @Override
  protected RemediationOutcome runbook(RemediationRequest request) {
    WorkloadTarget target = request.target(WorkloadTarget.class);
    var stop =
        run.confirmAndAdmitCheck(
            () -> crashLooping(target),
            "no pod is crash-looping",
            "rollout restart of " + target.namespace() + "/" + target.deployment());
    if (stop.isPresent()) {
      return stop.get();
    }
    String where = target.namespace() + "/" + target.deployment();
    var restarted =
        run.act(
            ACTION,
            where,
            () ->
                mutateK8s.rolloutRestart(
                    new RestartRequest(
                        Workflow.randomUUID().toString(), target.namespace(), target.deployment())),
            r -> "restartedAt " + r.restartedAt());
    if (restarted.isEmpty()) {
      return run.escalate("rollout restart of " + where + " failed");
    }
    Check after =
        run.verifyCheck(
            () -> {
              rollout.waitForRollout(
                  target.namespace(), target.deployment(), run.policy().settleSeconds() * 5 + 60);
              return crashLooping(target);
            });
    if (after.unknown()) {
      return run.escalate("could not verify the restart of " + where + ": " + after.reading());
    }
    if (!after.healthy()) {
      return run.escalate(
          "pods of "
              + where
              + " still crash-loop after a rollout restart: the fault is in the application or its config");
    }
    return run.fixed("rollout restart of " + where + " brought the pods up");
  }

  private Check crashLooping(WorkloadTarget target) {
    return PodSignals.crashLooping(
        run.readK8s().listPods(target.namespace(), target.effectivePodSelector()),
        target.container(),
        target.effectivePodSelector());
  }
}
