package dev.opsflow.workflows.remediation.disk;

import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.activities.kubernetes.ExecRequest;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.kernel.Check;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The two commands disk remediation runs in a pod, built as argv (no shell, so nothing in a path is
 * interpreted), and the parsing of their output.
 */
public final class LogCleanup {
  private LogCleanup() {}

  /** {@code df -P PATH}: POSIX output, one line per file system. */
  public static List<String> usageCommand(String path) {
    return List.of("df", "-P", path);
  }

  /**
   * Deletes regular files named *.log or *.log.* (rotated) older than {@code maxAgeDays} under
   * {@code path}, printing each one. {@code -mmin} rather than {@code -mtime}, whose day rounding
   * would keep files up to a day older than asked.
   */
  public static List<String> deleteCommand(String path, long maxAgeDays) {
    return List.of(
        "find",
        path,
        "-xdev",
        "-type",
        "f",
        "(",
        "-name",
        "*.log",
        "-o",
        "-name",
        "*.log.*",
        ")",
        "-mmin",
        "+" + maxAgeDays * 24 * 60,
        "-print",
        "-delete");
  }

  /** The Use% of the last line of {@code df -P} output, or empty when it cannot be read. */
  public static OptionalInt usedPercent(String dfOutput) {
    if (dfOutput == null) {
      return OptionalInt.empty();
    }
    String[] lines = dfOutput.strip().split("\n");
    if (lines.length < 2) {
      return OptionalInt.empty();
    }
    for (String field : lines[lines.length - 1].trim().split("\\s+")) {
      if (field.endsWith("%")) {
        try {
          return OptionalInt.of(Integer.parseInt(field.substring(0, field.length() - 1)));
        } catch (NumberFormatException e) {
          return OptionalInt.empty();
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The fullest log file system over every pod of the target and every path (0 when none can be
   * read): runs {@link #usageCommand} in the pods. Used by the remediation and by the watchdog.
   */
  public static int highestUsage(
      KubernetesActivities exec, WorkloadTarget target, List<String> paths, long timeoutSeconds) {
    int highest = 0;
    for (String path : paths) {
      for (ExecOutput output : exec.execInPods(usageRequest(target, path, timeoutSeconds))) {
        highest = Math.max(highest, usedPercent(output.stdout()).orElse(0));
      }
    }
    return highest;
  }

  /**
   * Disk usage of the target's log file systems as a {@link Check}: UNHEALTHY when any pod's file
   * system is above {@code threshold}; UNKNOWN when no pod matched, or when some {@code df} failed
   * (non-zero exit, no exit status) or printed nothing readable and none is above; HEALTHY only
   * when every pod and path was read and all are at or below it. "Could not read" is never healthy.
   */
  public static Check usage(
      KubernetesActivities exec,
      WorkloadTarget target,
      List<String> paths,
      int threshold,
      long timeoutSeconds) {
    int highest = -1;
    List<String> unreadable = new ArrayList<>();
    int readings = 0;
    for (String path : paths) {
      List<ExecOutput> outputs = exec.execInPods(usageRequest(target, path, timeoutSeconds));
      if (outputs.isEmpty()) {
        unreadable.add(path + ": no pod matched " + target.effectivePodSelector());
      }
      for (ExecOutput output : outputs) {
        OptionalInt used = usedPercent(output.stdout());
        if (!output.succeeded() || used.isEmpty()) {
          unreadable.add(
              path
                  + ": "
                  + (output.succeeded()
                      ? "pod " + output.pod() + " printed no usage"
                      : output.outcome()));
          continue;
        }
        readings++;
        highest = Math.max(highest, used.getAsInt());
      }
    }
    String reading =
        (highest < 0 ? "no usage read" : "highest usage " + highest + "%")
            + (unreadable.isEmpty() ? "" : "; could not read " + String.join(", ", unreadable));
    if (highest > threshold) {
      return Check.unhealthy(reading);
    }
    if (!unreadable.isEmpty() || readings == 0) {
      return Check.unknown(reading);
    }
    return Check.healthy(reading);
  }

  /** {@link #usageCommand} in every pod of the target. */
  private static ExecRequest usageRequest(WorkloadTarget target, String path, long timeoutSeconds) {
    return new ExecRequest(
        Workflow.randomUUID().toString(),
        target.namespace(),
        target.effectivePodSelector(),
        target.container(),
        usageCommand(path),
        timeoutSeconds);
  }

  /** Files deleted in all pods, from each pod's {@code find -print} output. */
  public static int deletedFiles(List<ExecOutput> outputs) {
    return outputs.stream().mapToInt(o -> deletedFiles(o.stdout())).sum();
  }

  /** Files {@code find -print} reported (one per line). */
  public static int deletedFiles(String findOutput) {
    return findOutput == null || findOutput.isBlank() ? 0 : findOutput.strip().split("\n").length;
  }
}
