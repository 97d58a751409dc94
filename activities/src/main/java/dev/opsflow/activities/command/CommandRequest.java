package dev.opsflow.activities.command;

import java.util.List;

/**
 * A program to run on the worker host.
 *
 * @param actionId the action this run belongs to, for the audit log
 * @param command the argument vector: program then arguments, passed to the program as they are. No
 *     shell is involved, so {@code ;}, {@code |}, {@code $VAR} and globs have no special meaning,
 *     unless the caller deliberately names a shell as the program ({@code ["sh", "-c", "..."]})
 * @param workingDirectory directory to run in; {@code null} or blank means the worker's own
 * @param timeoutSeconds kill the program and everything it started after this long; {@code 0} means
 *     {@value CommandActivitiesImpl#DEFAULT_TIMEOUT_SECONDS} s, at most {@value
 *     CommandActivitiesImpl#MAX_TIMEOUT_SECONDS} s
 * @param maxOutputBytes keep at most this many bytes of stdout and of stderr each (the rest is read
 *     and dropped); {@code 0} means {@value CommandActivitiesImpl#DEFAULT_MAX_OUTPUT_BYTES}, at
 *     most {@value CommandActivitiesImpl#MAX_OUTPUT_BYTES}
 */
public record CommandRequest(
    String actionId,
    List<String> command,
    String workingDirectory,
    long timeoutSeconds,
    int maxOutputBytes) {}
