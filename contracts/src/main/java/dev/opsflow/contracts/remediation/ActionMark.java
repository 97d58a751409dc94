package dev.opsflow.contracts.remediation;

/**
 * The last action the automaton took on one problem, remembered by the governor across runs,
 * workers and starters, so that a new run for the same problem does not act again inside the
 * cooldown of an earlier run's action.
 *
 * @param problem the problem's workflow ID (procedure + target)
 * @param runId the run that acted
 * @param action what it did (e.g. {@code scale_kafka_consumers})
 * @param atMillis when (workflow time)
 * @param cooldownUntilMillis no new action on the problem before this
 */
public record ActionMark(
    String problem, String runId, String action, long atMillis, long cooldownUntilMillis) {}
