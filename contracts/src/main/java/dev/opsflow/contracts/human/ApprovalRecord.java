package dev.opsflow.contracts.human;

/**
 * One decision received, counted or not.
 *
 * @param ignoredBecause why it did not count (empty when it counted)
 */
public record ApprovalRecord(
    String by, boolean approve, String comment, long atMillis, String ignoredBecause) {}
