package dev.opsflow.contracts.diagnostics;

/**
 * One system opsflow talks to and where: {@code system} is a name like {@code kafka}, {@code
 * endpoint} a {@code host:port} or URL.
 */
public record ProbeTarget(String system, String endpoint) {}
