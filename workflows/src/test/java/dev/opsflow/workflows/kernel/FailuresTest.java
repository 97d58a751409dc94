package dev.opsflow.workflows.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.workflows.human.EscalationLadder;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import org.junit.jupiter.api.Test;

class FailuresTest {
  private static ActivityFailure activityFailed(Throwable cause) {
    return new ActivityFailure(
        "Activity task failed",
        5,
        6,
        "RolloutRestart",
        "1",
        RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
        "worker@host",
        cause);
  }

  /**
   * How an unreachable API server arrives: the activity's own failure, carrying the client's
   * exception chain, whose innermost link says nothing (a bare ClosedChannelException).
   */
  private static ActivityFailure unreachableApiServer() {
    ApplicationFailure root =
        ApplicationFailure.newFailure(null, "java.nio.channels.ClosedChannelException");
    ApplicationFailure client =
        ApplicationFailure.newFailureWithCause(
            "Operation: [get] for kind: [Deployment] failed.",
            "io.fabric8.kubernetes.client.KubernetesClientException",
            root);
    return activityFailed(
        ApplicationFailure.newFailureWithCause(
            "rollout restart demo/payments: the Kubernetes API server did not answer"
                + " (ConnectException)",
            "KubernetesUnavailable",
            client));
  }

  @Test
  void theReasonIsTheActivitysOwnErrorNotTheBareExceptionUnderIt() {
    String expected =
        "rollout restart demo/payments: the Kubernetes API server did not answer"
            + " (ConnectException) [KubernetesUnavailable]";

    assertThat(Failures.reason(unreachableApiServer())).isEqualTo(expected);
    assertThat(EscalationLadder.reason(unreachableApiServer())).isEqualTo(expected);
  }

  @Test
  void anErrorThrownByTheWorkflowItselfKeepsItsMessage() {
    assertThat(Failures.reason(ApplicationFailure.newFailure("no pods match", "NotFound")))
        .isEqualTo("no pods match [NotFound]");
    assertThat(Failures.reason(new IllegalStateException("unparsable quantity 5Qi")))
        .isEqualTo("IllegalStateException: unparsable quantity 5Qi");
  }

  @Test
  void aTimeoutSaysWhichTimeout() {
    assertThat(
            Failures.reason(
                activityFailed(
                    new TimeoutFailure(
                        "activity timeout", null, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE))))
        .isEqualTo("timed out (TIMEOUT_TYPE_SCHEDULE_TO_CLOSE)");
  }
}
