package dev.opsflow.contracts.human;

/**
 * One rung of an escalation ladder: tell {@code channel} once {@code afterSeconds} have passed
 * since the escalation began, unless the problem was fixed or a human acknowledged meanwhile.
 *
 * @param channel {@link #SLACK} or {@link #PAGERDUTY}
 */
public record EscalationStep(String channel, long afterSeconds) {
  public static final String SLACK = "slack";
  public static final String PAGERDUTY = "pagerduty";
}
