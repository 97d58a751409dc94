package dev.opsflow.activities.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HumanPolicyTest {
  @TempDir Path dir;

  private HealingPolicy policyFrom(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, yaml);
    OpsflowConfig config = ConfigLoader.load(file, env);
    return ServerPolicy.from(config);
  }

  @Test
  void procedureSettingsBecomeTheRunsHumanPolicyAndApprovalOnlyInItsNamespaces()
      throws IOException {
    HealingPolicy policy =
        policyFrom(
            """
            procedures:
              CrashLoopRemediation:
                approval: {approvers: [alice, bob], required: 2, timeout: 2d, onTimeout: reject, namespaces: [prod]}
                escalation: [{channel: pagerduty, after: 30m}, {channel: slack}]
                decisionTimeout: 1h
            """,
            Map.of("ESCALATION_ASK_ON_FAILURE", "true"));
    HumanPolicy crash = policy.human("CrashLoopRemediation");
    ApprovalPolicy approval = crash.approvalFor("prod");
    assertThat(approval.approvers()).containsExactly("alice", "bob");
    assertThat(approval.required()).isEqualTo(2);
    assertThat(approval.timeoutSeconds()).isEqualTo(2 * 86400);
    assertThat(approval.onTimeout()).isEqualTo("reject");
    assertThat(crash.approvalFor("demo")).isNull();
    assertThat(crash.escalation())
        .containsExactly(
            new EscalationStep("slack", 0), new EscalationStep("pagerduty", 1800)); // sorted
    assertThat(crash.askOnFailure()).isTrue(); // the global default, not overridden
    assertThat(crash.decisionTimeoutSeconds()).isEqualTo(3600);
  }

  @Test
  void proceduresWithoutSettingsFollowTheEscalationDefaults() throws IOException {
    HealingPolicy policy = policyFrom("{}", Map.of("ESCALATION_PAGE_AFTER", "20m"));
    HumanPolicy oom = policy.human("OomRemediation");
    assertThat(oom.approvalFor("prod")).isNull();
    assertThat(oom.escalation())
        .containsExactly(new EscalationStep("slack", 0), new EscalationStep("pagerduty", 1200));
    assertThat(oom.askOnFailure()).isFalse();
    assertThat(oom.decisionTimeoutSeconds()).isEqualTo(4 * 3600);
  }

  @Test
  void aRunStartedWithoutAHumanPolicyEscalatesOnBothChannelsAtOnce() {
    HumanPolicy typedByHand =
        new HealingPolicy(
                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, null, 1.2, "100Mi", "8Gi", 1, 1, 1, null,
                null)
            .human("CrashLoopRemediation");
    assertThat(typedByHand).isEqualTo(HumanPolicy.DEFAULT);
    assertThat(typedByHand.escalation()).extracting(EscalationStep::afterSeconds).containsOnly(0L);
  }
}
