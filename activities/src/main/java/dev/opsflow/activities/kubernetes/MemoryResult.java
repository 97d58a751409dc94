package dev.opsflow.activities.kubernetes;

/** Previous and new memory settings; {@code changed} false when they were already set. */
public record MemoryResult(
    String previousRequest,
    String previousLimit,
    String memoryRequest,
    String memoryLimit,
    boolean changed) {}
