package dev.opsflow.activities.dispatch;

import dev.opsflow.config.Durations;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.ProcedureSettings;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker's configuration as the policy records of the contracts: limits from {@code healing.*},
 * humans from {@code escalation.*} and {@code procedures:}. The records themselves know nothing of
 * the configuration.
 */
public final class ServerPolicy {
  private ServerPolicy() {}

  /** Limits from {@code healing.*}, humans from {@code escalation.*} and {@code procedures:}. */
  public static HealingPolicy from(OpsflowConfig config) {
    Map<String, HumanPolicy> humans = new HashMap<>();
    config
        .procedures()
        .forEach((type, settings) -> humans.put(type, human(config.escalation(), settings)));
    return from(config.healing()).withHumans(human(config.escalation(), null), humans);
  }

  /** Limits only, with the default human policy. */
  public static HealingPolicy from(OpsflowConfig.Healing h) {
    return new HealingPolicy(
        h.kafkaLagThreshold(),
        HealingPolicy.DEFAULT_LAG_PER_REPLICA,
        h.postgresConnThreshold(),
        h.diskSpaceThreshold(),
        h.minReplicas(),
        h.maxReplicas(),
        h.checkInterval().toSeconds(),
        h.actionCooldown().toSeconds(),
        h.settleTime().toSeconds(),
        h.confirmDelayHigh().toSeconds(),
        h.confirmDelayMedium().toSeconds(),
        h.confirmDelayLow().toSeconds(),
        h.idleSessionAge().toSeconds(),
        h.logMaxAge().toDays(),
        h.logPaths(),
        h.memoryRaiseFactor(),
        h.memoryRaiseMinStep(),
        h.memoryCeiling(),
        h.maxInFlight(),
        h.maxInFlightPerNamespace(),
        h.admissionTimeout().toSeconds(),
        HumanPolicy.DEFAULT,
        Map.of());
  }

  /**
   * The human policy of one procedure: its settings where given, else the {@code escalation.*}
   * defaults.
   *
   * @param settings the procedure's entry under {@code procedures:}, or null
   */
  public static HumanPolicy human(OpsflowConfig.Escalation defaults, ProcedureSettings settings) {
    List<EscalationStep> ladder =
        settings == null || settings.escalation().isEmpty()
            ? List.of(
                new EscalationStep(EscalationStep.SLACK, 0),
                new EscalationStep(EscalationStep.PAGERDUTY, defaults.pageAfter().toSeconds()))
            : settings.escalation().stream()
                .map(s -> new EscalationStep(s.channel(), seconds(s.after())))
                .sorted(Comparator.comparingLong(EscalationStep::afterSeconds))
                .toList();
    ApprovalPolicy approval = null;
    List<String> namespaces = List.of();
    if (settings != null && settings.approval() != null) {
      ProcedureSettings.Approval a = settings.approval();
      approval =
          new ApprovalPolicy(
              a.approvers(), a.required(), a.fourEyes(), seconds(a.timeout()), a.onTimeout());
      namespaces = a.namespaces();
    }
    boolean ask =
        settings != null && settings.askOnFailure() != null
            ? settings.askOnFailure()
            : defaults.askOnFailure();
    long decision =
        settings != null && settings.decisionTimeout() != null
            ? seconds(settings.decisionTimeout())
            : defaults.decisionTimeout().toSeconds();
    return new HumanPolicy(approval, namespaces, ladder, ask, decision);
  }

  private static long seconds(String duration) {
    return Durations.parse(duration).toSeconds();
  }
}
