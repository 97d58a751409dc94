package dev.opsflow.bench.bare;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class BareWorkflowImpl implements BareWorkflow {
  private final BareActivities activities =
      Workflow.newActivityStub(
          BareActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

  private int notices;
  private boolean parked;

  @Override
  public int run(int count, long parkSeconds) {
    for (int i = 0; i < count; i++) {
      activities.step(i);
    }
    parked = true;
    if (parkSeconds > 0) {
      Workflow.sleep(Duration.ofSeconds(parkSeconds));
    }
    return notices;
  }

  @Override
  public void notice(String episode) {
    notices++;
  }

  @Override
  public int notices() {
    return notices;
  }

  @Override
  public boolean parked() {
    return parked;
  }
}
