package dev.opsflow.workflows.remediation;

import dev.opsflow.activities.kubernetes.ContainerState;
import dev.opsflow.activities.kubernetes.PodInfo;
import dev.opsflow.workflows.kernel.Check;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads problems off pod states: OOMKilled containers and crash loops, per owning Deployment. */
public final class PodSignals {
  public static final String OOM_KILLED = "OOMKilled";
  public static final String CRASH_LOOP = "CrashLoopBackOff";

  /** A problem of one Deployment: OOMKilled (with the container) or crash-looping. */
  public record Finding(String deployment, String container, boolean oomKilled) {}

  private PodSignals() {}

  /** One finding per Deployment and kind; pods no Deployment owns are not opsflow's to fix. */
  public static List<Finding> findings(List<PodInfo> pods) {
    Set<Finding> found = new LinkedHashSet<>();
    for (PodInfo pod : pods) {
      if (pod.deployment().isEmpty()) {
        continue;
      }
      for (ContainerState c : pod.containers()) {
        if (OOM_KILLED.equals(c.lastTerminationReason()) || OOM_KILLED.equals(c.stateReason())) {
          found.add(new Finding(pod.deployment(), c.name(), true));
        } else if (CRASH_LOOP.equals(c.stateReason())) {
          found.add(new Finding(pod.deployment(), "", false));
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** Names of containers whose last (or current) termination was OOMKilled. */
  public static List<String> oomKilledContainers(List<PodInfo> pods) {
    Set<String> names = new LinkedHashSet<>();
    for (PodInfo pod : pods) {
      for (ContainerState c : pod.containers()) {
        if (OOM_KILLED.equals(c.lastTerminationReason()) || OOM_KILLED.equals(c.stateReason())) {
          names.add(c.name());
        }
      }
    }
    return new ArrayList<>(names);
  }

  /** True when a container (the given one, or any if empty) is in CrashLoopBackOff. */
  public static boolean anyCrashLooping(List<PodInfo> pods, String container) {
    return pods.stream()
        .flatMap(p -> p.containers().stream())
        .filter(c -> container.isEmpty() || c.name().equals(container))
        .anyMatch(c -> CRASH_LOOP.equals(c.stateReason()));
  }

  /**
   * Whether a container of the pods was OOMKilled, as a check: no pod matching at all is UNKNOWN (a
   * label typo, a Deployment that is gone), never "no problem".
   */
  public static Check oomKilled(List<PodInfo> pods, String selector) {
    if (pods.isEmpty()) {
      return Check.unknown("no pod matches " + selector);
    }
    List<String> killed = oomKilledContainers(pods);
    return Check.of(
        !killed.isEmpty(),
        killed.isEmpty() ? pods.size() + " pods, none OOMKilled" : "OOMKilled: " + killed);
  }

  /** Whether a container of the pods is crash-looping, as a check: no pod at all is UNKNOWN. */
  public static Check crashLooping(List<PodInfo> pods, String container, String selector) {
    if (pods.isEmpty()) {
      return Check.unknown("no pod matches " + selector);
    }
    boolean looping = anyCrashLooping(pods, container);
    return Check.of(
        looping, looping ? "a pod is in " + CRASH_LOOP : pods.size() + " pods, none crash-looping");
  }
}
