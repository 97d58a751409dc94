package dev.opsflow.bench.bare;

import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class BareMixWorkflowImpl implements BareMixWorkflow {
  private final BareActivities activities =
      Workflow.newActivityStub(
          BareActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());
  private final BareActivities localActivities =
      Workflow.newLocalActivityStub(
          BareActivities.class,
          LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

  @Override
  public int run(int local, int normal) {
    int sum = 0;
    for (int i = 0; i < local; i++) {
      sum += localActivities.step(i);
    }
    for (int i = 0; i < normal; i++) {
      sum += activities.step(i);
    }
    return sum;
  }
}
