package dev.opsflow.workflows.remediation.disk;

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

  /** Files {@code find -print} reported (one per line). */
  public static int deletedFiles(String findOutput) {
    return findOutput == null || findOutput.isBlank() ? 0 : findOutput.strip().split("\n").length;
  }
}
