package dev.opsflow.workflows.remediation.kafkalag;

import dev.opsflow.activities.kafka.ConsumerLag;
import dev.opsflow.activities.kafka.ConsumerLagRequest;
import dev.opsflow.activities.kafka.KafkaActivities;
import dev.opsflow.activities.kafka.KafkaOptions;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.KubernetesOptions;
import dev.opsflow.activities.kubernetes.ScaleRequest;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.KafkaLagRemediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.workflows.kernel.Check;
import dev.opsflow.workflows.remediation.RemediationHandlers;
import io.temporal.workflow.Workflow;

public class KafkaLagRemediationImpl extends RemediationHandlers implements KafkaLagRemediation {
  static final String ACTION = "scale_kafka_consumers";

  private final KafkaActivities kafka =
      Workflow.newActivityStub(KafkaActivities.class, KafkaOptions.READ_KAFKA);
  private final KubernetesActivities mutateK8s =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);
  private final KubernetesActivities rollout =
      Workflow.newActivityStub(KubernetesActivities.class, KubernetesOptions.ROLLOUT_WAIT);

  @Override
  protected RemediationOutcome runbook(RemediationRequest request) {
    ConsumerGroupTarget target = request.target(ConsumerGroupTarget.class);
    HealingPolicy policy = run.policy();

    var stop =
        run.confirmAndAdmit(
            () -> lagOf(target) > policy.kafkaLagThreshold(),
            "lag below the threshold",
            "scale consumers "
                + target.namespace()
                + "/"
                + target.deployment()
                + " up (never above "
                + policy.maxReplicas()
                + " replicas)");
    if (stop.isPresent()) {
      return stop.get();
    }
    ConsumerLag lag = lag(target);
    int current = run.readK8s().getDeployment(target.namespace(), target.deployment()).replicas();
    int partitions = partitions(lag, target.topic());
    int desired =
        ReplicaCeiling.desiredReplicas(
            current,
            lag.totalLag(),
            policy.kafkaLagPerReplica(),
            partitions,
            policy.minReplicas(),
            policy.maxReplicas());
    if (desired <= current) {
      return run.escalate(
          "lag "
              + lag.totalLag()
              + " but "
              + target.deployment()
              + " already has "
              + current
              + " replicas (ceiling: MAX_REPLICAS "
              + policy.maxReplicas()
              + ", partitions "
              + partitions
              + ")");
    }
    String where = target.namespace() + "/" + target.deployment();
    var scaled =
        run.act(
            ACTION,
            where,
            () ->
                mutateK8s.scaleDeployment(
                    new ScaleRequest(
                        Workflow.randomUUID().toString(),
                        target.namespace(),
                        target.deployment(),
                        desired)),
            r ->
                "replicas "
                    + r.previousReplicas()
                    + " -> "
                    + r.replicas()
                    + " (lag "
                    + lag.totalLag()
                    + ")");
    if (scaled.isEmpty()) {
      return run.escalate("scaling " + where + " failed");
    }
    // New consumers must be running before the backlog can shrink. A lag that cannot be read
    // (Kafka away past its retry budget) is UNKNOWN: it escalates as such, never as "still above".
    Check drained =
        run.verifyCheck(
            () -> {
              rollout.waitForRollout(
                  target.namespace(), target.deployment(), policy.settleSeconds() * 5 + 60);
              long after = lagOf(target);
              return Check.of(after >= policy.kafkaLagThreshold(), "lag " + after);
            });
    if (drained.unknown()) {
      return run.escalate("could not verify the scale-out of " + where + ": " + drained.reading());
    }
    if (!drained.healthy()) {
      return run.escalate(
          "lag still above " + policy.kafkaLagThreshold() + " after scaling to " + desired);
    }
    return run.fixed("scaled " + where + " from " + current + " to " + desired + " replicas");
  }

  private ConsumerLag lag(ConsumerGroupTarget target) {
    return kafka.consumerGroupLag(new ConsumerLagRequest(target.consumerGroup(), target.topic()));
  }

  private long lagOf(ConsumerGroupTarget target) {
    return lag(target).totalLag();
  }

  /** Partitions of the topic consumed (the largest, when the group reads several). */
  private static int partitions(ConsumerLag lag, String topic) {
    if (!topic.isEmpty()) {
      return lag.partitionCountByTopic().getOrDefault(topic, 0);
    }
    return lag.partitionCountByTopic().values().stream()
        .mapToInt(Integer::intValue)
        .max()
        .orElse(0);
  }
}
