package dev.opsflow.contracts.runbook;

/**
 * One branch of a {@link DecisionStep}.
 *
 * @param name what the branch means, recorded as the decision's result (e.g. {@code scale-out})
 * @param when CEL over the context, true or false
 * @param next the step this branch goes to
 */
public record DecisionBranch(String name, String when, String next) {}
