package dev.opsflow.dev;

import dev.opsflow.cli.OpsflowCommand;
import dev.opsflow.worker.JvmDefaults;
import picocli.CommandLine;

/**
 * The {@code opsflow} command line that {@code ./opsflow} runs: every verb of the production
 * artifact plus {@code dev}, which needs the embedded Temporal service and the sandbox that the
 * production artifact leaves out.
 */
public final class OpsflowDev {
  private OpsflowDev() {}

  public static void main(String[] args) {
    JvmDefaults.apply();
    System.exit(newCommandLine().execute(args));
  }

  /** The production command line with the {@code dev} verb added. */
  public static CommandLine newCommandLine() {
    return OpsflowCommand.newCommandLine(new DevCommand(), new CliTrainingCommand());
  }
}
