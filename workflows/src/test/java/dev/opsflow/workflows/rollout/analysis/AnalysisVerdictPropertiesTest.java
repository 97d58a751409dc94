package dev.opsflow.workflows.rollout.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.AnalysisVerdict;
import dev.opsflow.contracts.rollout.Measurement;
import dev.opsflow.contracts.rollout.MeasurementPhase;
import dev.opsflow.contracts.rollout.MetricCheck;
import dev.opsflow.contracts.rollout.MetricProgress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verdict rules hold over many random sequences of measurements. Seeded, so a failure repeats:
 * the seed and the sequence are in the message.
 */
class AnalysisVerdictPropertiesTest {
  private static final long SEED = 20_261_202L;
  private static final int RUNS = 3_000;
  private static final MeasurementPhase[] PHASES = MeasurementPhase.values();

  private final Random random = new Random(SEED);

  private MetricCheck randomCheck(String name, boolean dryRun) {
    int count = 1 + random.nextInt(6);
    return new MetricCheck(
        name,
        "x{d=\"{{canary}}\"}",
        1 + random.nextInt(120),
        count,
        "result < 0.01",
        null,
        random.nextInt(count),
        random.nextInt(4),
        random.nextInt(5),
        dryRun);
  }

  /** Phases with a random bias, so that every limit is crossed in some runs and not in others. */
  private List<MeasurementPhase> randomPhases(int length) {
    double[] weights = {
      random.nextDouble(), random.nextDouble(), random.nextDouble(), random.nextDouble()
    };
    double total = weights[0] + weights[1] + weights[2] + weights[3];
    List<MeasurementPhase> phases = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      double r = random.nextDouble() * total;
      int k = 0;
      while (k < 3 && r >= weights[k]) {
        r -= weights[k];
        k++;
      }
      phases.add(PHASES[k]);
    }
    return phases;
  }

  private static MetricProgress run(MetricCheck check, List<MeasurementPhase> phases) {
    MetricProgress p = MetricProgress.notStarted(check, 0);
    long now = 0;
    for (MeasurementPhase phase : phases) {
      p = MetricRules.record(check, p, Measurement.of(check.name(), phase, ""), now);
      now += check.intervalSeconds() * 1000;
    }
    return p;
  }

  @Test
  void aSuccessfulVerdictAlwaysRestsOnEnoughSuccessfulMeasurements() {
    int successes = 0;
    for (int i = 0; i < RUNS; i++) {
      MetricCheck check = randomCheck("m", false);
      List<MeasurementPhase> phases = randomPhases(random.nextInt(20));
      MetricProgress p = run(check, phases);
      if (p.verdict() == AnalysisVerdict.SUCCESSFUL) {
        successes++;
        assertThat(p.successful() + p.failed()).as("%s %s", check, phases).isEqualTo(check.count());
        assertThat(p.successful())
            .as("%s %s", check, phases)
            .isGreaterThanOrEqualTo(check.count() - check.failureLimit())
            .isPositive();
      }
    }
    assertThat(successes).as("runs that passed (the property is not vacuous)").isGreaterThan(50);
  }

  @Test
  void inconclusiveAndErrorsAloneNeverPass() {
    for (int i = 0; i < RUNS; i++) {
      MetricCheck check = randomCheck("m", false);
      List<MeasurementPhase> phases = new ArrayList<>();
      for (int k = random.nextInt(30); k > 0; k--) {
        phases.add(random.nextBoolean() ? MeasurementPhase.INCONCLUSIVE : MeasurementPhase.ERROR);
      }
      assertThat(run(check, phases).verdict())
          .as("%s %s", check, phases)
          .isNotEqualTo(AnalysisVerdict.SUCCESSFUL);
    }
  }

  @Test
  void turningASuccessIntoAnInconclusiveNeverMakesAPass() {
    int changed = 0;
    for (int i = 0; i < RUNS; i++) {
      MetricCheck check = randomCheck("m", false);
      List<MeasurementPhase> phases = randomPhases(1 + random.nextInt(15));
      int at = random.nextInt(phases.size());
      if (phases.get(at) != MeasurementPhase.SUCCESSFUL) {
        continue;
      }
      List<MeasurementPhase> worse = new ArrayList<>(phases);
      worse.set(at, MeasurementPhase.INCONCLUSIVE);
      AnalysisVerdict before = run(check, phases).verdict();
      AnalysisVerdict after = run(check, worse).verdict();
      if (before != AnalysisVerdict.SUCCESSFUL) {
        assertThat(after)
            .as("%s %s -> %s", check, phases, worse)
            .isNotEqualTo(AnalysisVerdict.SUCCESSFUL);
      }
      if (before != after) {
        changed++;
      }
    }
    assertThat(changed).as("runs whose verdict the change moved").isPositive();
  }

  @Test
  void theLimitsAreArgosFailedMoreThanTheLimitFailsAndNothingLess() {
    int failedRuns = 0;
    for (int i = 0; i < RUNS; i++) {
      MetricCheck check = randomCheck("m", false);
      List<MeasurementPhase> phases = randomPhases(random.nextInt(25));
      MetricProgress p = run(check, phases);
      String why = check + " " + phases;
      switch (p.verdict()) {
        case FAILED -> {
          failedRuns++;
          assertThat(p.failed()).as(why).isEqualTo(check.failureLimit() + 1);
          assertThat(p.last().phase()).as(why).isEqualTo(MeasurementPhase.FAILED);
        }
        case INCONCLUSIVE -> {
          assertThat(p.inconclusive()).as(why).isEqualTo(check.inconclusiveLimit() + 1);
          assertThat(p.last().phase()).as(why).isEqualTo(MeasurementPhase.INCONCLUSIVE);
        }
        case ERROR ->
            assertThat(p.consecutiveErrors()).as(why).isEqualTo(check.consecutiveErrorLimit() + 1);
        default -> {
          assertThat(p.failed()).as(why).isLessThanOrEqualTo(check.failureLimit());
          assertThat(p.inconclusive()).as(why).isLessThanOrEqualTo(check.inconclusiveLimit());
          assertThat(p.consecutiveErrors())
              .as(why)
              .isLessThanOrEqualTo(check.consecutiveErrorLimit());
        }
      }
      // every measurement up to the decision was counted, none after it
      int counted = p.successful() + p.failed() + p.inconclusive() + p.errors();
      assertThat(counted).as(why).isEqualTo(p.measurements()).isLessThanOrEqualTo(phases.size());
      if (!p.verdict().decided()) {
        assertThat(p.measurements()).as(why).isEqualTo(phases.size());
      }
    }
    assertThat(failedRuns).isGreaterThan(50);
  }

  /** One analysis with deciding and dry-run metrics, measured in a random interleaving. */
  @Test
  void aDryRunMetricNeverChangesTheVerdict() {
    for (int i = 0; i < RUNS / 3; i++) {
      List<MetricCheck> deciding = new ArrayList<>();
      List<MetricCheck> all = new ArrayList<>();
      for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
        MetricCheck c = randomCheck("m" + k, false);
        deciding.add(c);
        all.add(c);
      }
      for (int k = 0, n = 1 + random.nextInt(2); k < n; k++) {
        all.add(random.nextInt(all.size() + 1), randomCheck("dry" + k, true));
      }
      AnalysisRun withDryRuns = AnalysisRun.start(new AnalysisTemplate("t", all), 0);
      AnalysisRun without = AnalysisRun.start(new AnalysisTemplate("t", deciding), 0);
      int steps = random.nextInt(40);
      for (int s = 0; s < steps; s++) {
        MetricCheck metric = all.get(random.nextInt(all.size()));
        Measurement m = Measurement.of(metric.name(), PHASES[random.nextInt(PHASES.length)], "");
        withDryRuns = withDryRuns.record(m, s * 1000L);
        if (!metric.dryRun()) {
          without = without.record(m, s * 1000L);
        }
        assertThat(withDryRuns.verdict()).as("step %d of %s", s, all).isEqualTo(without.verdict());
      }
    }
  }

  @Test
  void theFinalVerdictDoesNotDependOnHowMetricsInterleave() {
    for (int i = 0; i < RUNS / 3; i++) {
      List<MetricCheck> checks = new ArrayList<>();
      List<Measurement> measurements = new ArrayList<>();
      for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
        MetricCheck c = randomCheck("m" + k, false);
        checks.add(c);
        for (MeasurementPhase phase : randomPhases(random.nextInt(10))) {
          measurements.add(Measurement.of(c.name(), phase, ""));
        }
      }
      AnalysisTemplate template = new AnalysisTemplate("t", checks);
      AnalysisVerdict inOrder = replay(template, measurements);
      // shuffle, keeping each metric's own order
      List<Measurement> shuffled = interleave(measurements, checks);
      assertThat(replay(template, shuffled)).as("%s", measurements).isEqualTo(inOrder);
    }
  }

  private static AnalysisVerdict replay(AnalysisTemplate template, List<Measurement> measurements) {
    AnalysisRun run = AnalysisRun.start(template, 0);
    for (Measurement m : measurements) {
      run = run.record(m, 0);
    }
    return run.verdict();
  }

  private List<Measurement> interleave(List<Measurement> measurements, List<MetricCheck> checks) {
    List<List<Measurement>> perMetric = new ArrayList<>();
    for (MetricCheck c : checks) {
      perMetric.add(
          new ArrayList<>(measurements.stream().filter(m -> m.metric().equals(c.name())).toList()));
    }
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < perMetric.size(); k++) {
      order.addAll(Collections.nCopies(perMetric.get(k).size(), k));
    }
    Collections.shuffle(order, random);
    List<Measurement> out = new ArrayList<>();
    for (int k : order) {
      out.add(perMetric.get(k).remove(0));
    }
    return out;
  }
}
