package dev.opsflow.activities.runbook;

/**
 * What an action did.
 *
 * @param result what it answered, as JSON ({@code steps.ID.result} later)
 * @param changed false when the target was already as asked (or the action only read)
 * @param detail what changed, in a line ("demo/orders scaled 2 -> 4")
 */
public record ActionAnswer(Object result, boolean changed, String detail) {}
