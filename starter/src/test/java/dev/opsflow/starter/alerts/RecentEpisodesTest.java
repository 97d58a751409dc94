package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentEpisodesTest {
  @Test
  void remembersUntilTheWindowEndsAndForgetsTheOldestBeyondCapacity() {
    AtomicLong now = new AtomicLong(1_000);
    RecentEpisodes recent = new RecentEpisodes(2, 300_000, now::get);
    recent.add("a");
    assertThat(recent.contains("a")).isTrue();
    now.addAndGet(300_001);
    assertThat(recent.contains("a")).as("expired after the cooldown window").isFalse();
    recent.add("b");
    recent.add("c");
    recent.add("d");
    assertThat(recent.contains("b")).as("evicted beyond capacity").isFalse();
    assertThat(recent.contains("c")).isTrue();
    assertThat(recent.contains("d")).isTrue();
  }
}
