package dev.opsflow.worker.outage;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When an outage begins and ends, tied to the run's own steps so the test is deterministic: "cut
 * the link to Kafka just before the first attempt of the second lag reading, restore it just before
 * that reading's third attempt". Installed as a worker interceptor, so each cue runs on the
 * activity's thread before the attempt does, whatever the speed of the machine or the time the test
 * service skips.
 */
final class OutageScript extends WorkerInterceptorBase {
  private record Cue(String activityType, int call, int attempt, Runnable action) {}

  private final List<Cue> cues = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /**
   * Runs {@code action} before attempt {@code attempt} of the {@code call}-th call (from 1) of the
   * activity type (capitalised, as Temporal names it: {@code RolloutRestart}).
   */
  OutageScript before(String activityType, int call, int attempt, Runnable action) {
    cues.add(new Cue(activityType, call, attempt, action));
    return this;
  }

  /** How many calls of {@code activityType} have begun (first attempts). */
  int calls(String activityType) {
    AtomicInteger n = calls.get(activityType);
    return n == null ? 0 : n.get();
  }

  private void starting(String type, int attempt) {
    AtomicInteger counter = calls.computeIfAbsent(type, t -> new AtomicInteger());
    int call = attempt == 1 ? counter.incrementAndGet() : counter.get();
    for (Cue cue : cues) {
      if (cue.activityType().equals(type) && cue.call() == call && cue.attempt() == attempt) {
        cue.action().run();
      }
    }
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        starting(context.getInfo().getActivityType(), context.getInfo().getAttempt());
        return super.execute(input);
      }
    };
  }
}
