package dev.opsflow.activities.command;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Runs programs on the worker host, for runbook steps no API covers. Run it with {@link
 * CommandOptions#RUN_COMMAND}.
 *
 * <p>Off by default: unless {@code command.enabled} ({@code COMMAND_ENABLED}) is true, every call
 * fails with {@code ForbiddenTarget}, not {@code NotConfigured}. Nothing is missing in that case:
 * running arbitrary programs on worker hosts is outside opsflow's default safety policy, and the
 * operator must opt in, like a namespace outside {@code kubernetes.allowedNamespaces}. The message
 * names the setting.
 */
@ActivityInterface
public interface CommandActivities {

  /**
   * Runs a program with its arguments (no shell unless the caller names one), waits for it up to
   * the timeout, and returns its exit code and output. On timeout, or when the activity is
   * cancelled, the program and every process it started are killed. Heartbeats while it runs, so a
   * lost worker is noticed within the heartbeat timeout. Opsflow's own secrets ({@code
   * SLACK_TOKEN}, {@code POSTGRES_PASSWORD}, ...) are removed from the program's environment.
   *
   * <p>Not idempotent in general: whether running the program twice is safe depends on the program,
   * so {@link CommandOptions#RUN_COMMAND} does not retry; choose programs that check before they
   * change.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code ForbiddenTarget} unless {@code
   *     command.enabled} is true; {@code InvalidInput} for an empty command, a working directory
   *     that is not a directory, or limits out of range; {@code NotFound} when the program cannot
   *     be started (not installed, not executable)
   */
  @ActivityMethod
  CommandResult runCommand(CommandRequest request);
}
