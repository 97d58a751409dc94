package dev.opsflow.contracts.runbook;

import java.util.Map;

/**
 * Waits on a durable timer (minutes or days: a worker restart does not shorten or lose it).
 *
 * @param duration how long, e.g. {@code 5m}
 */
public record WaitStep(String id, String description, String duration, String onSuccess)
    implements RunbookStep {
  @Override
  public Map<String, String> transitions() {
    return Transitions.of("onSuccess", onSuccess, null, null);
  }
}
