package dev.opsflow.workflows.remediation.watchdog;

import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.kafka.ConsumerLagRequest;
import dev.opsflow.activities.kafka.KafkaActivities;
import dev.opsflow.activities.kafka.KafkaOptions;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.activities.postgres.PostgresActivities;
import dev.opsflow.activities.postgres.PostgresOptions;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.HealthWatchdog;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.contracts.remediation.WatchdogStatus;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.HealingMetrics;
import dev.opsflow.workflows.remediation.PodSignals;
import dev.opsflow.workflows.remediation.disk.LogCleanup;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class HealthWatchdogImpl implements HealthWatchdog {
  private static final Logger log = Workflow.getLogger(HealthWatchdogImpl.class);

  /** Continue as new at least this often, so the history stays small whatever the interval. */
  private static final long ITERATIONS_PER_RUN = 100;

  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private final KafkaActivities kafka =
      Workflow.newActivityStub(KafkaActivities.class, KafkaOptions.READ_KAFKA);
  private final PostgresActivities postgres =
      Workflow.newActivityStub(PostgresActivities.class, PostgresOptions.READ_POSTGRES);
  private final KubernetesActivities k8s =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.READ_K8S);
  private final KubernetesActivities exec =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.EXEC_IN_PODS);

  /**
   * Version marker: from version 1 the watchdog keeps a problem's streak when one read fails (a
   * transient error is not a new episode), counts an unreadable disk as an error (never healthy),
   * and ignores a reconfigure without targets or policy instead of wedging on it.
   */
  static final String STREAKS = "watchdog-streaks";

  private WatchdogInput input;
  private boolean currentRules;
  private String refusedReconfigure = "";
  private boolean reconfigured;
  private long lastCheckMillis;
  private List<String> problems = List.of();
  private List<String> errors = List.of();

  @Override
  public void watch(WatchdogInput start) {
    input = start;
    currentRules = Workflow.getVersion(STREAKS, Workflow.DEFAULT_VERSION, 1) == 1;
    long runIterations = 0;
    while (true) {
      Map<String, Long> since = new HashMap<>(input.problemSince());
      long iteration = input.iteration() + 1;
      log.info(
          "Running healing checks iteration {} ({} check, {} targets)",
          iteration,
          input.check(),
          input.targets().size());
      HealingMetrics.check(input.check());
      lastCheckMillis = Workflow.currentTimeMillis();
      List<String> found = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      for (Target target : input.targets()) {
        try {
          for (RemediationRequest request : detect(input.check(), target, input.policy())) {
            long first = since.getOrDefault(request.workflowId(), lastCheckMillis);
            since.put(request.workflowId(), first);
            dispatch.dispatch(withEpisode(request, first));
            found.add(request.workflowId());
          }
        } catch (ActivityFailure e) {
          failed.add(target.key() + ": " + e.getCause().getMessage());
        } catch (UnreadableCheck e) {
          failed.add(target.key() + ": " + e.getMessage());
        } catch (io.temporal.failure.CanceledFailure e) {
          throw e; // a cancelled watchdog stops
        } catch (RuntimeException e) {
          if (!currentRules) {
            throw e;
          }
          // A target the watchdog cannot check (e.g. an unknown check name in a reconfigure) is an
          // error of this iteration, shown in status: it never wedges the watchdog.
          failed.add(target.key() + ": " + e);
        }
      }
      if (!currentRules || failed.isEmpty()) {
        // A problem not seen this time ends its streak; while a read fails, streaks are kept, so a
        // transient error does not turn the next detection into a new episode.
        since.keySet().retainAll(found);
      }
      problems = List.copyOf(found);
      errors = List.copyOf(failed);
      input = new WatchdogInput(input.check(), input.targets(), input.policy(), iteration, since);

      reconfigured = false;
      Workflow.await(Duration.ofSeconds(input.policy().checkIntervalSeconds()), () -> reconfigured);
      runIterations++;
      if (runIterations >= ITERATIONS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.await(Workflow::isEveryHandlerFinished);
        Workflow.continueAsNew(input);
      }
    }
  }

  @Override
  public void reconfigure(WatchdogInput update) {
    if (currentRules && (update == null || update.policy() == null || update.targets().isEmpty())) {
      // e.g. `signal reconfigure --input '{}'`: keep watching what was configured.
      refusedReconfigure =
          "reconfigure ignored at "
              + Instant.ofEpochMilli(Workflow.currentTimeMillis())
              + ": it needs targets and a policy";
      log.warn("Watchdog {}: {}", input == null ? "" : input.check(), refusedReconfigure);
      return;
    }
    // Keep the count and the open streaks; take the new targets and policy.
    input =
        new WatchdogInput(
            input == null ? update.check() : input.check(),
            update.targets(),
            update.policy(),
            input == null ? 0 : input.iteration(),
            input == null ? Map.of() : input.problemSince());
    reconfigured = true;
  }

  @Override
  public WatchdogStatus status() {
    return new WatchdogStatus(
        input == null ? "" : input.check(),
        input == null ? 0 : input.iteration(),
        lastCheckMillis,
        problems,
        refusedReconfigure.isEmpty()
            ? errors
            : java.util.stream.Stream.concat(
                    errors.stream(), java.util.stream.Stream.of(refusedReconfigure))
                .toList());
  }

  /** The remediations a target needs now; empty when it is healthy. */
  private List<RemediationRequest> detect(String check, Target target, HealingPolicy policy) {
    return switch (check) {
      case "kafka" -> {
        ConsumerGroupTarget group = (ConsumerGroupTarget) target;
        long lag =
            kafka
                .consumerGroupLag(new ConsumerLagRequest(group.consumerGroup(), group.topic()))
                .totalLag();
        yield lag > policy.kafkaLagThreshold()
            ? List.of(request("KafkaLagRemediation", target, "high"))
            : List.of();
      }
      case "postgres" -> {
        double used = postgres.connectionUsage().percentUsed();
        yield used > policy.postgresConnThreshold()
            ? List.of(request("PostgresConnectionRemediation", target, "high"))
            : List.of();
      }
      case "pods" -> podProblems((WorkloadTarget) target);
      case "disk" -> {
        if (currentRules) {
          Check usage =
              LogCleanup.usage(
                  exec,
                  (WorkloadTarget) target,
                  policy.logPaths(),
                  policy.diskSpaceThreshold(),
                  60);
          if (usage.unknown()) {
            throw new UnreadableCheck(usage.reading());
          }
          yield usage.unhealthy()
              ? List.of(request("DiskPressureRemediation", target, "medium"))
              : List.of();
        }
        int highest = LogCleanup.highestUsage(exec, (WorkloadTarget) target, policy.logPaths(), 60);
        yield highest > policy.diskSpaceThreshold()
            ? List.of(request("DiskPressureRemediation", target, "medium"))
            : List.of();
      }
      default -> throw new IllegalArgumentException("unknown check " + check);
    };
  }

  /** A check that could not read what it checks: an error of the iteration, never healthy. */
  private static final class UnreadableCheck extends RuntimeException {
    UnreadableCheck(String reading) {
      super("could not read: " + reading);
    }
  }

  /** OOMKilled containers and crash loops, one remediation per Deployment and problem. */
  private List<RemediationRequest> podProblems(WorkloadTarget target) {
    List<RemediationRequest> found = new ArrayList<>();
    var pods = k8s.listPods(target.namespace(), target.podSelector());
    for (PodSignals.Finding f : PodSignals.findings(pods)) {
      found.add(
          f.oomKilled()
              ? request(
                  "OomRemediation",
                  new WorkloadTarget(target.namespace(), f.deployment(), f.container(), ""),
                  "critical")
              : request(
                  "CrashLoopRemediation",
                  WorkloadTarget.of(target.namespace(), f.deployment()),
                  "critical"));
    }
    return found.stream().distinct().toList();
  }

  /** Under the server's limits: the watchdog asks for no limits of its own. */
  private static RemediationRequest request(String procedure, Target target, String severity) {
    return new RemediationRequest(procedure, target, severity, null, RemediationRequest.AUTOMATON);
  }

  /** Stamps the notice with the streak's start, so every re-detection is the same episode. */
  private RemediationRequest withEpisode(RemediationRequest r, long firstSeenMillis) {
    String alertName = alertNameOf(r.procedure());
    AlertNotice notice =
        new AlertNotice(
            alertName,
            AlertNotice.FIRING,
            "watchdog:" + input.check() + ":" + r.workflowId(),
            Instant.ofEpochMilli(firstSeenMillis).toString(),
            Map.of("alertname", alertName, "namespace", r.target().namespace()),
            Map.of("summary", "found by the " + input.check() + " watchdog"),
            "watchdog");
    return new RemediationRequest(
        r.procedure(), r.target(), r.severity(), notice, RemediationRequest.AUTOMATON);
  }

  private static String alertNameOf(String procedure) {
    return switch (procedure) {
      case "KafkaLagRemediation" -> "KafkaConsumerLagHigh";
      case "PostgresConnectionRemediation" -> "PostgresTooManyConnections";
      case "OomRemediation" -> "KubePodOOMKilled";
      case "CrashLoopRemediation" -> "KubePodCrashLooping";
      default -> "DiskSpaceHigh";
    };
  }
}
