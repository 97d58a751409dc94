package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * @param iteration checks run so far
 * @param lastCheckMillis workflow time of the last check
 * @param problems remediation workflow IDs of the problems seen in the last check
 * @param errors targets whose check failed in the last iteration, with the reason
 */
public record WatchdogStatus(
    String check,
    long iteration,
    long lastCheckMillis,
    List<String> problems,
    List<String> errors) {}
