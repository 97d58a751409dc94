package dev.opsflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.runbook.ProbeAnswer;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.contracts.runbook.StepRecord.StepOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parallel steps (join all / any, fail-fast / wait-all), approvals and loops (over a list with a
 * concurrency limit, while a condition holds, bounded by maxIterations), on the shipped runbooks
 * and small inline ones.
 */
class RunbookFlowTest extends RunbookTestKit {
  // ---- retries ----

  @Test
  void anActionRetriedByItsPolicyRecordsTheAttemptsItTook() {
    world.flakyOnce.add("kubernetes.rolloutRestart");
    start(
        inline(
            """
            id: flaky
            name: Flaky
            version: "1"
            startWith: restart
            steps:
              - id: restart
                type: action
                action: kubernetes.rolloutRestart
                parameters: { namespace: demo, deployment: orders }
                retry: { attempts: 3, backoff: 1s }
            """),
        Map.of());
    RunbookResult done = result();

    assertThat(record(done, "restart").outcome()).isEqualTo(StepOutcome.SUCCEEDED);
    assertThat(record(done, "restart").attempts()).isEqualTo(2);
    assertThat(record(done, "restart").detail()).isEqualTo("done on attempt 2");
    assertThat(world.callsOf("act ")).hasSize(2);
  }

  // ---- parallel ----

  @Test
  void parallelWaitAllRunsEveryBranchAndAFailedOneTakesOnFailure() {
    world.probes.put(
        "kubernetes.condition", c -> new ProbeAnswer(false, Map.of("status", "False"), "no"));
    start(
        shipped("dependency-health"),
        Map.of("service", "orders", "namespace", "demo", "cacheHost", "cache:80"));
    RunbookResult done = result();

    assertThat(world.callsOf("probe ")).hasSize(3);
    assertThat(record(done, "probe-all").outcome()).isEqualTo(StepOutcome.FAILED);
    assertThat(record(done, "probe-all").result())
        .isEqualTo(Map.of("database", "succeeded", "cache", "succeeded", "upstream", "failed"));
    assertThat(record(done, "database").scope()).isEqualTo("probe-all/database");
    assertThat(world.callsOf("notify "))
        .containsExactly("notify PAGERDUTY a dependency of orders does not answer");
    save("dependency-health-one-down");
  }

  @Test
  void parallelAllHealthyJoinsAndGoesOn() {
    start(
        shipped("dependency-health"),
        Map.of("service", "orders", "namespace", "demo", "cacheHost", "cache:80"));
    RunbookResult done = result();

    assertThat(record(done, "probe-all").outcome()).isEqualTo(StepOutcome.SUCCEEDED);
    assertThat(world.callsOf("notify "))
        .containsExactly("notify AUDIT_LOG every dependency of orders answered");
  }

  private static final String RACE =
      """
      id: race
      name: Race
      version: "1"
      startWith: both
      steps:
        - id: both
          type: parallel
          branches: [quick, slow]
          join: %s
          failurePolicy: %s
          onSuccess: won
          onFailure: lost
        - id: quick
          type: check
          probe: http.probe
          parameters: { url: "http://quick" }
        - id: slow
          type: wait
          duration: 10m
          onSuccess: after-slow
        - id: after-slow
          type: action
          action: http.call
          parameters: { url: "http://after-slow" }
        - id: won
          type: notify
          channel: audit-log
          message: won
        - id: lost
          type: notify
          channel: audit-log
          message: lost
      """;

  @Test
  void failFastCancelsTheOtherBranchesAtTheFirstFailure() {
    world.probes.put("http://quick", c -> new ProbeAnswer(false, Map.of("status", 500), "500"));
    start(inline(RACE.formatted("all", "fail-fast")), Map.of());
    RunbookResult done = result();

    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(world.callsOf("notify ")).containsExactly("notify AUDIT_LOG lost");
    assertThat(taken(done)).doesNotContain("after-slow");
    assertThat(done.durationMillis()).isLessThan(Duration.ofMinutes(10).toMillis());
  }

  @Test
  void joinAnySucceedsWithTheFirstBranchAndCancelsTheRest() {
    start(inline(RACE.formatted("any", "fail-fast")), Map.of());
    RunbookResult done = result();

    assertThat(record(done, "both").outcome()).isEqualTo(StepOutcome.SUCCEEDED);
    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(world.callsOf("notify ")).containsExactly("notify AUDIT_LOG won");
  }

  @Test
  void joinAllWaitsForTheSlowBranch() {
    start(inline(RACE.formatted("all", "wait-all")), Map.of());
    RunbookResult done = result();

    assertThat(world.callsOf("act ")).containsExactly("act http.call {url=http://after-slow}");
    assertThat(world.callsOf("notify ")).containsExactly("notify AUDIT_LOG won");
    assertThat(done.durationMillis()).isGreaterThanOrEqualTo(Duration.ofMinutes(10).toMillis());
  }

  // ---- approval and loops ----

  @Test
  void approvedLoopTerminatesIdleSessionsOneDatabaseAtATime() {
    RunbookWorkflow run = start(shipped("idle-sessions"), Map.of("databases", List.of("a", "b")));
    waitFor(s -> s.phase() == RunbookPhase.WAITING_FOR_HUMAN);
    assertThat(world.mutations()).isEmpty();
    assertThat(run.progress().waitingFor())
        .singleElement()
        .satisfies(t -> assertThat(t.approvers()).containsExactly("alice", "bob"));
    run.approveChecked(new Decision("bob", "go"));
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(world.callsOf("act "))
        .containsExactly(
            "act postgres.terminateIdleSessions {database=a, idleLongerThan=10m}",
            "act postgres.terminateIdleSessions {database=b, idleLongerThan=10m}");
    assertThat(record(done, "each-database").result())
        .isEqualTo(Map.of("iterations", 2, "items", 2));
    assertThat(done.history())
        .filteredOn(r -> r.stepId().equals("terminate"))
        .extracting(StepRecord::scope)
        .containsExactly("each-database[0]", "each-database[1]");
    save("idle-sessions-approved");
  }

  @Test
  void theRequesterCannotApproveAndARejectionTakesOnFailure() {
    RunbookWorkflow run = start(shipped("idle-sessions"), Map.of("databases", List.of("a")));
    waitFor(s -> s.phase() == RunbookPhase.WAITING_FOR_HUMAN);
    assertThatThrownBy(() -> run.approveChecked(new Decision("carol", "mine")))
        .rootCause()
        .hasMessageContaining("carol");
    run.rejectChecked(new Decision("alice", "not now"));
    RunbookResult done = result();

    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(taken(done)).containsExactly("approve", "not-approved");
    assertThat(world.callsOf("notify "))
        .containsExactly("notify AUDIT_LOG termination of idle sessions was not approved");
  }

  @Test
  void anApprovalNobodyAnswersTimesOutIntoItsRejection() {
    start(shipped("idle-sessions"), Map.of("databases", List.of("a")));
    RunbookResult done = result();

    assertThat(record(done, "approve").result()).isEqualTo("rejected");
    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(done.durationMillis()).isGreaterThanOrEqualTo(Duration.ofMinutes(30).toMillis());
  }

  @Test
  void aWhileLoopWaitsBetweenPassesUntilTheLagIsBelowTheThreshold() {
    world.actionResults.put(
        "kafka.readLag",
        new ArrayList<>(
            List.of(Map.of("total", 5000), Map.of("total", 2000), Map.of("total", 10))));
    start(
        shipped("kafka-lag-recovery"),
        Map.of("namespace", "demo", "consumer", "orders-consumer", "replicas", 4, "groupId", "g1"));
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(world.callsOf("act kafka.readLag")).hasSize(3);
    assertThat(world.mutations())
        .containsExactly(
            "act kubernetes.scale {deployment=orders-consumer, namespace=demo, replicas=4}",
            "notify SLACK g1 caught up: lag 10");
    assertThat(record(done, "until-caught-up").result()).isEqualTo(Map.of("iterations", 3));
    assertThat(done.durationMillis()).isGreaterThanOrEqualTo(Duration.ofMinutes(3).toMillis());
    save("kafka-lag-recovery-caught-up");
  }

  @Test
  void aWhileLoopThatNeverEndsStopsAtMaxIterationsAndTakesOnFailure() {
    world.actionResults.put("kafka.readLag", new ArrayList<>(List.of(Map.of("total", 5000))));
    start(
        shipped("kafka-lag-recovery"),
        Map.of("namespace", "demo", "consumer", "c", "replicas", 2, "groupId", "g1"));
    RunbookResult done = result();

    assertThat(world.callsOf("act kafka.readLag")).hasSize(30);
    assertThat(record(done, "until-caught-up").outcome()).isEqualTo(StepOutcome.FAILED);
    assertThat(record(done, "until-caught-up").detail()).contains("maxIterations 30");
    assertThat(world.callsOf("notify ")).singleElement().asString().contains("still behind");
  }

  private static final String FAN_OUT =
      """
      id: fan-out
      name: Fan out
      version: "1"
      startWith: each
      steps:
        - id: each
          type: loop
          over: input.deployments
          as: deployment
          body: restart
          maxIterations: 3
          concurrency: 2
          onFailure: tell
        - id: restart
          type: action
          action: kubernetes.rolloutRestart
          parameters: { namespace: demo, deployment: "{{ deployment }}" }
        - id: tell
          type: notify
          channel: audit-log
          message: "too many: {{ steps.each.error }}"
      """;

  @Test
  void aLoopOverMoreItemsThanItsLimitRunsNoPassAndFails() {
    start(inline(FAN_OUT), Map.of("deployments", List.of("a", "b", "c", "d")));
    RunbookResult done = result();

    assertThat(world.callsOf("act ")).isEmpty();
    assertThat(record(done, "each").detail()).contains("4 items, more than maxIterations 3");
    assertThat(world.callsOf("notify ")).singleElement().asString().contains("too many");
  }

  @Test
  void aLoopRunsItsPassesConcurrentlyUpToItsLimit() {
    start(inline(FAN_OUT), Map.of("deployments", List.of("a", "b", "c")));
    RunbookResult done = result();

    assertThat(done.phase()).isEqualTo(RunbookPhase.SUCCEEDED);
    assertThat(world.callsOf("act "))
        .containsExactlyInAnyOrder(
            "act kubernetes.rolloutRestart {deployment=a, namespace=demo}",
            "act kubernetes.rolloutRestart {deployment=b, namespace=demo}",
            "act kubernetes.rolloutRestart {deployment=c, namespace=demo}");
  }
}
