package dev.opsflow.activities.kubernetes;

import java.util.List;

/**
 * What a command printed in one pod (each stream capped at 64 KiB) and how it ended.
 *
 * @param exitCode the command's exit status (0-255), or {@link #NO_EXIT_STATUS} when the API server
 *     sent none or one that names no code (connection closed early, container gone)
 */
public record ExecOutput(String pod, int exitCode, String stdout, String stderr) {
  /** The command ended without a readable exit status: never success. */
  public static final int NO_EXIT_STATUS = -1;

  /**
   * True only if the command exited with status 0. The one test of success for every caller: a
   * command that exited otherwise, or whose exit is unknown, did not do what it was asked.
   */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The outputs whose command did not succeed (empty when every pod succeeded). */
  public static List<ExecOutput> failed(List<ExecOutput> outputs) {
    return outputs.stream().filter(o -> !o.succeeded()).toList();
  }

  /** e.g. "pod web-1 exited 1" or "pod web-1 ended without an exit status", for messages. */
  public String outcome() {
    return exitCode == NO_EXIT_STATUS
        ? "pod " + pod + " ended without an exit status"
        : "pod " + pod + " exited " + exitCode;
  }
}
