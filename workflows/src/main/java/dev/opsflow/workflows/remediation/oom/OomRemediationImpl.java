package dev.opsflow.workflows.remediation.oom;

import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.activities.kubernetes.MemoryRequest;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.OomRemediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.PodSignals;
import dev.opsflow.workflows.remediation.RemediationHandlers;
import io.temporal.workflow.Workflow;

public class OomRemediationImpl extends RemediationHandlers implements OomRemediation {
  static final String ACTION = "raise_memory_limit";

  private final KubernetesActivities mutateK8s =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);
  private final KubernetesActivities rollout =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.ROLLOUT_WAIT);

  @Override
  protected RemediationOutcome runbook(RemediationRequest request) {
    WorkloadTarget target = request.target(WorkloadTarget.class);
    HealingPolicy policy = run.policy();
    var stop =
        run.confirmAndAdmitCheck(
            () -> oomKilled(target),
            "no container was OOMKilled",
            "raise the memory limit of "
                + target.namespace()
                + "/"
                + target.deployment()
                + " (never above "
                + run.policy().memoryCeiling()
                + ")");
    if (stop.isPresent()) {
      return stop.get();
    }
    var deployment = run.readK8s().getDeployment(target.namespace(), target.deployment());
    String containerName =
        target.container().isEmpty() ? oomKilledContainers(target).get(0) : target.container();
    var container =
        deployment.containers().stream().filter(c -> c.name().equals(containerName)).findFirst();
    if (container.isEmpty()
        || container.get().memoryLimit() == null
        || container.get().memoryLimit().isEmpty()) {
      return run.escalate("container " + containerName + " has no memory limit to raise");
    }
    var raise =
        MemoryRaise.raise(
            container.get().memoryLimit(),
            container.get().memoryRequest(),
            policy.memoryRaiseFactor(),
            policy.memoryRaiseMinStep(),
            policy.memoryCeiling());
    String where = target.namespace() + "/" + target.deployment() + "/" + containerName;
    if (raise.isEmpty()) {
      return run.escalate(
          where
              + " is at the memory ceiling "
              + policy.memoryCeiling()
              + " (limit "
              + container.get().memoryLimit()
              + ")");
    }
    var raised =
        run.act(
            ACTION,
            where,
            () ->
                mutateK8s.setContainerMemory(
                    new MemoryRequest(
                        Workflow.randomUUID().toString(),
                        target.namespace(),
                        target.deployment(),
                        containerName,
                        raise.get().request(),
                        raise.get().limit())),
            r -> "memory limit " + container.get().memoryLimit() + " -> " + raise.get().limit());
    if (raised.isEmpty()) {
      return run.escalate("raising the memory limit of " + where + " failed");
    }
    Check after =
        run.verifyCheck(
            () -> {
              rollout.waitForRollout(
                  target.namespace(), target.deployment(), policy.settleSeconds() * 5 + 60);
              if (!run.currentKernel()) {
                return Check.healthy("rolled out");
              }
              // Rolled out is not fixed: the new pods must run without being OOMKilled.
              return oomKilled(target);
            });
    if (after.unknown()) {
      return run.escalate("could not verify the raised limit: " + after.reading());
    }
    if (!after.healthy()) {
      return run.escalate(
          "the Deployment did not roll out healthy: still OOMKilled with the new limit ("
              + after.reading()
              + ")");
    }
    // A second OOM with the new limit arrives as a new alert episode during the cooldown and
    // escalates there (RemediationRun.fixed), instead of raising again.
    return run.fixed("memory limit of " + where + " raised to " + raise.get().limit());
  }

  private Check oomKilled(WorkloadTarget target) {
    return PodSignals.oomKilled(
        run.readK8s().listPods(target.namespace(), target.effectivePodSelector()),
        target.effectivePodSelector());
  }

  private java.util.List<String> oomKilledContainers(WorkloadTarget target) {
    return PodSignals.oomKilledContainers(
        run.readK8s().listPods(target.namespace(), target.effectivePodSelector()));
  }
}
