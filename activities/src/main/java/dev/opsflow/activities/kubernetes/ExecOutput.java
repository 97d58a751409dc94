package dev.opsflow.activities.kubernetes;

/** What a command printed in one pod (each stream capped at 64 KiB). */
public record ExecOutput(String pod, int exitCode, String stdout, String stderr) {}
