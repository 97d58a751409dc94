package dev.opsflow.bench;

import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Where a run's time went: the largest gaps between consecutive events of its history, each named
 * by the two events, so a slow figure points at the step (a workflow task, an activity, a signal
 * round trip to the governor) that costs it.
 */
final class HistoryGaps {
  private HistoryGaps() {}

  static List<String> largest(WorkflowExecutionHistory history, int count) {
    List<HistoryEvent> events = history.getEvents();
    java.util.Map<Long, String> activities = new java.util.HashMap<>();
    for (HistoryEvent e : events) {
      if (e.hasActivityTaskScheduledEventAttributes()) {
        activities.put(
            e.getEventId(),
            e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      }
    }
    record Gap(long micros, HistoryEvent from, HistoryEvent to) {}
    List<Gap> gaps = new ArrayList<>();
    for (int i = 1; i < events.size(); i++) {
      gaps.add(
          new Gap(
              micros(events.get(i)) - micros(events.get(i - 1)), events.get(i - 1), events.get(i)));
    }
    long total =
        events.isEmpty() ? 0 : micros(events.get(events.size() - 1)) - micros(events.get(0));
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%d events over %.1f ms", events.size(), total / 1000.0));
    gaps.stream()
        .sorted(Comparator.comparingLong(Gap::micros).reversed())
        .limit(count)
        .forEach(
            g ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "%7.1f ms  #%d %s -> #%d %s",
                        g.micros() / 1000.0,
                        g.from().getEventId(),
                        name(g.from(), activities),
                        g.to().getEventId(),
                        name(g.to(), activities))));
    return lines;
  }

  private static String name(HistoryEvent e, java.util.Map<Long, String> activities) {
    String type = e.getEventType().name().replace("EVENT_TYPE_", "");
    if (e.hasActivityTaskScheduledEventAttributes()) {
      type += " " + e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
    } else if (e.hasActivityTaskStartedEventAttributes()) {
      type += " " + activities.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId());
    } else if (e.hasActivityTaskCompletedEventAttributes()) {
      type +=
          " " + activities.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId());
    } else if (e.hasMarkerRecordedEventAttributes()) {
      type += " " + e.getMarkerRecordedEventAttributes().getMarkerName();
    } else if (e.hasWorkflowExecutionSignaledEventAttributes()) {
      type += " " + e.getWorkflowExecutionSignaledEventAttributes().getSignalName();
    }
    return type;
  }

  private static long micros(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1_000_000L + e.getEventTime().getNanos() / 1000;
  }
}
