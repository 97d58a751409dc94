package dev.opsflow.activities.command;

/**
 * How a program run ended. A non-zero exit code is a result for the workflow to judge, not a
 * failure of the activity.
 *
 * @param exitCode the program's exit code; after a timeout kill, whatever the killed process
 *     reported (typically 137 or -1)
 * @param stdout standard output as UTF-8, cut to {@code maxOutputBytes}
 * @param stderr standard error as UTF-8, cut to {@code maxOutputBytes}
 * @param timedOut true when the program ran past its timeout and was killed with everything it
 *     started
 * @param durationMillis wall-clock time from start until the program ended or was killed
 * @param outputTruncated true when stdout or stderr was longer than {@code maxOutputBytes}
 */
public record CommandResult(
    int exitCode,
    String stdout,
    String stderr,
    boolean timedOut,
    long durationMillis,
    boolean outputTruncated) {}
