package dev.opsflow.activities.command;

/**
 * Heartbeat details of a running program.
 *
 * @param pid the program's process id on the worker host
 * @param elapsedMillis time since it started
 * @param stdoutBytes bytes it has written to stdout so far
 * @param stderrBytes bytes it has written to stderr so far
 */
public record CommandProgress(long pid, long elapsedMillis, long stdoutBytes, long stderrBytes) {}
