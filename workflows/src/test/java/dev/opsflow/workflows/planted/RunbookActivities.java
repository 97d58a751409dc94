package dev.opsflow.workflows.planted;

import io.temporal.activity.ActivityInterface;

/** An activity: workflow code calls it through a stub, so its implementation is not followed. */
@ActivityInterface
public interface RunbookActivities {
  String readRunbook(String name);
}
