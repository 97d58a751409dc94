package dev.opsflow.activities.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import org.junit.jupiter.api.Test;

/** One problem maps to one workflow ID whatever the source; two problems never share one. */
class ProblemWorkflowIdTest {
  private static String id(String procedure, Target target) {
    return new RemediationRequest(procedure, target, "high", null, RemediationRequest.AUTOMATON)
        .workflowId();
  }

  @Test
  void validNamesKeepTheirReadableIds() {
    assertThat(id("KafkaLagRemediation", new ConsumerGroupTarget("demo", "orders", "g", "t")))
        .isEqualTo("heal-kafka-lag-remediation-demo/orders/g/t");
  }

  @Test
  void slashesInsideAPartCannotMakeTwoTargetsShareAnId() {
    String ab = id("CrashLoopRemediation", new WorkloadTarget("a/b", "c", "", ""));
    String bc = id("CrashLoopRemediation", new WorkloadTarget("a", "b/c", "", ""));
    assertThat(ab).isNotEqualTo(bc).isEqualTo("heal-crash-loop-remediation-a%2Fb/c");
    assertThat(id("CrashLoopRemediation", new WorkloadTarget("a\r\nb", "c", "", "")))
        .isEqualTo("heal-crash-loop-remediation-a%0D%0Ab/c");
  }

  @Test
  void aHugeLabelGivesABoundedIdThatStillTellsTargetsApart() {
    String huge = "x".repeat(512 * 1024);
    String one = id("CrashLoopRemediation", new WorkloadTarget("demo", huge + "1", "", ""));
    String two = id("CrashLoopRemediation", new WorkloadTarget("demo", huge + "2", "", ""));
    assertThat(one).hasSize(RemediationRequest.MAX_WORKFLOW_ID).startsWith("heal-crash-loop");
    assertThat(one).isNotEqualTo(two);
  }

  @Test
  void postgresConnectionsAreOneProblemPerServerWhateverTheDatabase() {
    assertThat(id("PostgresConnectionRemediation", new DatabaseTarget("orders")))
        .isEqualTo(id("PostgresConnectionRemediation", new DatabaseTarget("")))
        .isEqualTo("heal-postgres-connection-remediation");
  }
}
