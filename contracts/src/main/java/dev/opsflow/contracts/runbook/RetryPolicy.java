package dev.opsflow.contracts.runbook;

/**
 * How often a step is tried before its failure counts.
 *
 * @param attempts tries in all, the first included (1: no retry)
 * @param backoff the wait before the second try, a duration such as {@code 10s}; doubled each try
 * @param maxBackoff the longest wait between two tries (null: no bound but the step's timeout)
 */
public record RetryPolicy(int attempts, String backoff, String maxBackoff) {}
