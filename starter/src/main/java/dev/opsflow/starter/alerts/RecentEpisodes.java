package dev.opsflow.starter.alerts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Notices this starter delivered lately, so an alert storm (1,000 resends of one alert) costs one
 * signal instead of 1,000. Only an optimisation: correctness rests on the workflow ID and the
 * episode set inside the workflow, which hold across starters. Entries expire after the cooldown,
 * so a still-firing problem reaches the workflow again once a new action would be allowed.
 */
final class RecentEpisodes {
  private final int capacity;
  private final long ttlMillis;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>(16, 0.75f, false);

  RecentEpisodes(int capacity, long ttlMillis, LongSupplier clock) {
    this.capacity = capacity;
    this.ttlMillis = ttlMillis;
    this.clock = clock;
  }

  synchronized boolean contains(String key) {
    Long at = seen.get(key);
    if (at == null) {
      return false;
    }
    if (clock.getAsLong() - at > ttlMillis) {
      seen.remove(key);
      return false;
    }
    return true;
  }

  synchronized void add(String key) {
    seen.put(key, clock.getAsLong());
    while (seen.size() > capacity) {
      Map.Entry<String, Long> eldest = seen.entrySet().iterator().next();
      seen.remove(eldest.getKey());
    }
  }
}
