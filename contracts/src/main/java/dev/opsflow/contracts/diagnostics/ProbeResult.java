package dev.opsflow.contracts.diagnostics;

/** Whether a TCP connection to a target could be opened, and how long it took. */
public record ProbeResult(
    String system, String endpoint, boolean reachable, long latencyMillis, String error) {}
