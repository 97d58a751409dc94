package dev.opsflow.bench.bare;

import io.temporal.activity.ActivityInterface;

/** One no-op activity: the cost of an activity round trip and nothing else. */
@ActivityInterface
public interface BareActivities {
  int step(int index);
}
