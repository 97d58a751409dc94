package dev.opsflow.bench.bare;

public class BareActivitiesImpl implements BareActivities {
  @Override
  public int step(int index) {
    return index;
  }
}
