package dev.opsflow.bench;

import java.util.List;

/**
 * How big each benchmark is. {@link #FULL} is what the README's table comes from; {@link #QUICK} is
 * a smoke run of a minute or two; the smoke test uses {@link #TINY}.
 *
 * @param rates webhook ingestion rates (notifications per second)
 * @param ingestSeconds how long each rate is held
 * @param stormNotices notifications of the alert storm
 * @param stormProblems distinct problems among them
 * @param oneProblemEpisodes distinct episodes sent to one problem
 * @param endToEnd remediations per round, one after the other
 * @param saturation remediations started at once for the throughput
 * @param parked runs parked in waits for the footprint
 * @param cliCalls {@code opsflow status} calls per round
 * @param warmUp unmeasured notifications and starts before a round's ingestion
 * @param pauseMillis pause between the sides of a round, for the worker to take the first tasks of
 *     the runs just started
 */
record Sizes(
    List<Integer> rates,
    double ingestSeconds,
    int stormNotices,
    int stormProblems,
    int oneProblemEpisodes,
    int endToEnd,
    int saturation,
    int parked,
    int cliCalls,
    int warmUp,
    long pauseMillis) {
  static final Sizes FULL =
      new Sizes(List.of(100, 500, 1000), 5, 10_000, 50, 10_000, 20, 200, 1000, 5, 100, 2000);
  static final Sizes QUICK = new Sizes(List.of(100, 500), 1, 500, 10, 500, 5, 20, 50, 2, 50, 1000);
  static final Sizes TINY = new Sizes(List.of(20), 0.5, 20, 2, 10, 1, 2, 2, 1, 5, 200);
}
