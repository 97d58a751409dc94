package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.run.AlertNotice;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NoticeGroupCommitTest {
  /** Every signal asked for: its notices' fingerprints, and the future Temporal would complete. */
  private record Signal(
      String workflowId, List<String> fingerprints, CompletableFuture<DispatchResult> answer) {}

  private final List<Signal> signals = new ArrayList<>();
  private final NoticeGroupCommit commit =
      new NoticeGroupCommit(
          (notices, deadline) -> {
            CompletableFuture<DispatchResult> answer = new CompletableFuture<>();
            synchronized (signals) {
              signals.add(
                  new Signal(
                      notices.get(0).workflowId(),
                      notices.stream().map(n -> n.alert().fingerprint()).toList(),
                      answer));
            }
            return answer;
          },
          Duration.ZERO,
          Duration.ofMinutes(1));

  @AfterEach
  void close() {
    commit.close();
  }

  @Test
  void noticesArrivingWhileTheProblemsSignalIsInFlightShareTheNextOne() {
    CompletableFuture<DispatchResult> first = deliver("orders", "f1");
    CompletableFuture<DispatchResult> second = deliver("orders", "f2", "f3");
    CompletableFuture<DispatchResult> third = deliver("orders", "f4");

    assertThat(signals).hasSize(1);
    assertThat(signals.get(0).fingerprints()).containsExactly("f1");
    accept(0);
    assertThat(first).isCompleted();
    assertThat(signals).as("the two waiting requests go together").hasSize(2);
    assertThat(signals.get(1).fingerprints()).containsExactly("f2", "f3", "f4");
    assertThat(second).as("not accepted before its signal is").isNotDone();
    assertThat(third).isNotDone();
    accept(1);
    assertThat(second.join().workflowId()).isEqualTo(workflowId("orders"));
    assertThat(third).isCompleted();
    assertThat(commit.open()).as("nothing left behind").isZero();
  }

  @Test
  void anotherProblemDoesNotWaitForABusyOne() {
    deliver("orders", "f1");
    CompletableFuture<DispatchResult> payments = deliver("payments", "p1");

    assertThat(signals)
        .extracting(Signal::workflowId)
        .containsExactly(workflowId("orders"), workflowId("payments"));
    accept(1);
    assertThat(payments).isCompleted();
  }

  @Test
  void aRefusedSignalFailsEveryRequestItCarriedAndTheNextOneIsStillSent() {
    deliver("orders", "f1");
    CompletableFuture<DispatchResult> a = deliver("orders", "f2");
    CompletableFuture<DispatchResult> b = deliver("orders", "f3");
    accept(0);

    signals.get(1).answer().completeExceptionally(Status.UNAVAILABLE.asRuntimeException());

    assertThat(a).isCompletedExceptionally();
    assertThat(b).isCompletedExceptionally();
    CompletableFuture<DispatchResult> retry = deliver("orders", "f2");
    assertThat(signals).hasSize(3);
    assertThat(signals.get(2).fingerprints()).containsExactly("f2");
    accept(2);
    assertThat(retry).isCompleted();
  }

  @Test
  void noticesDoNotWaitLongerThanThePatienceForASlowSignal() throws Exception {
    List<Signal> seen = new ArrayList<>();
    try (NoticeGroupCommit patient =
        new NoticeGroupCommit(
            (notices, deadline) -> {
              synchronized (seen) {
                seen.add(
                    new Signal(
                        notices.get(0).workflowId(),
                        notices.stream().map(n -> n.alert().fingerprint()).toList(),
                        null));
              }
              // The first signal never returns: a frontend that is slow to answer.
              return seen.size() == 1
                  ? new CompletableFuture<>()
                  : CompletableFuture.completedFuture(
                      new DispatchResult(notices.get(0).workflowId(), "run", "delivered"));
            },
            Duration.ZERO,
            Duration.ofMillis(50))) {
      patient.deliver(workflowId("orders"), List.of(request("orders", "f1")), deadline());
      CompletableFuture<DispatchResult> second =
          patient.deliver(workflowId("orders"), List.of(request("orders", "f2")), deadline());

      second.get(5, TimeUnit.SECONDS);
      assertThat(seen)
          .extracting(s -> s.fingerprints())
          .containsExactly(List.of("f1"), List.of("f2"));
    }
  }

  @Test
  void aWindowGathersRequestsArrivingTogetherIntoTheFirstSignal() throws Exception {
    List<Signal> seen = new ArrayList<>();
    try (NoticeGroupCommit windowed =
        new NoticeGroupCommit(
            (notices, deadline) -> {
              synchronized (seen) {
                seen.add(
                    new Signal(
                        notices.get(0).workflowId(),
                        notices.stream().map(n -> n.alert().fingerprint()).toList(),
                        null));
              }
              return CompletableFuture.completedFuture(
                  new DispatchResult(notices.get(0).workflowId(), "run", "delivered"));
            },
            Duration.ofMillis(200))) {
      CompletableFuture<DispatchResult> a =
          windowed.deliver(workflowId("orders"), List.of(request("orders", "f1")), deadline());
      CompletableFuture<DispatchResult> b =
          windowed.deliver(workflowId("orders"), List.of(request("orders", "f2")), deadline());

      assertThat(a).as("waits out the window").isNotDone();
      CompletableFuture.allOf(a, b).get(5, TimeUnit.SECONDS);
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).fingerprints()).containsExactly("f1", "f2");
    }
  }

  @Test
  void aLargeBatchIsSplitSoThatNoSignalIsOverTheBound() {
    List<RemediationRequest> many = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      many.add(request("orders", "f" + i));
    }
    RemediationRequest huge = request("orders", "big", "x".repeat(200 * 1024));
    List<RemediationRequest> withHuge =
        new ArrayList<>(List.of(huge, huge, request("orders", "s")));

    assertThat(NoticeGroupCommit.chunks(many)).extracting(List::size).containsExactly(200, 200, 50);
    assertThat(NoticeGroupCommit.chunks(withHuge)).extracting(List::size).containsExactly(1, 2);
  }

  @Test
  void atMostTheBoundIsInFlightAndTheRestGoInArrivalOrder() {
    NoticeGroupCommit.Bounded bounded =
        new NoticeGroupCommit.Bounded(
            (notices, deadline) -> {
              CompletableFuture<DispatchResult> answer = new CompletableFuture<>();
              synchronized (signals) {
                signals.add(
                    new Signal(
                        notices.get(0).workflowId(),
                        notices.stream().map(n -> n.alert().fingerprint()).toList(),
                        answer));
              }
              return answer;
            },
            2);
    CompletableFuture<DispatchResult> a = bounded.apply(List.of(request("a", "fa")), deadline());
    bounded.apply(List.of(request("b", "fb")), deadline());
    CompletableFuture<DispatchResult> c = bounded.apply(List.of(request("c", "fc")), deadline());
    CompletableFuture<DispatchResult> late =
        bounded.apply(List.of(request("d", "fd")), Deadline.after(1, TimeUnit.NANOSECONDS));
    CompletableFuture<DispatchResult> e = bounded.apply(List.of(request("e", "fe")), deadline());

    assertThat(signals).extracting(s -> s.fingerprints().get(0)).containsExactly("fa", "fb");
    accept(0);
    assertThat(a).isCompleted();
    assertThat(signals).extracting(s -> s.fingerprints().get(0)).containsExactly("fa", "fb", "fc");
    accept(2);
    assertThat(c).isCompleted();
    assertThat(late).as("its deadline passed while it waited: not sent").isCompletedExceptionally();
    assertThat(signals)
        .extracting(s -> s.fingerprints().get(0))
        .containsExactly("fa", "fb", "fc", "fe");
    accept(1);
    accept(3);
    assertThat(e).isCompleted();
    assertThat(bounded.inFlight()).isZero();
  }

  // ----

  private CompletableFuture<DispatchResult> deliver(String deployment, String... fingerprints) {
    List<RemediationRequest> notices = new ArrayList<>();
    for (String f : fingerprints) {
      notices.add(request(deployment, f));
    }
    return commit.deliver(workflowId(deployment), notices, deadline());
  }

  private void accept(int signal) {
    Signal s = signals.get(signal);
    s.answer().complete(new DispatchResult(s.workflowId(), "run-" + signal, "delivered"));
  }

  private static Deadline deadline() {
    return Deadline.after(3, TimeUnit.SECONDS);
  }

  private static String workflowId(String deployment) {
    return request(deployment, "any").workflowId();
  }

  private static RemediationRequest request(String deployment, String fingerprint) {
    return request(deployment, fingerprint, "lag");
  }

  private static RemediationRequest request(String deployment, String fingerprint, String summary) {
    AlertNotice notice =
        new AlertNotice(
            "KafkaConsumerLagHigh",
            AlertNotice.FIRING,
            fingerprint,
            "2026-11-23T10:00:00Z",
            Map.of("alertname", "KafkaConsumerLagHigh", "deployment", deployment),
            Map.of("summary", summary),
            "alertmanager");
    return new RemediationRequest(
        "KafkaLagRemediation",
        Target.of(
            "KafkaLagRemediation",
            Map.of("namespace", "demo", "deployment", deployment, "consumerGroup", deployment)),
        "high",
        notice,
        RemediationRequest.AUTOMATON);
  }
}
