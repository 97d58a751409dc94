package dev.opsflow.worker;

import dev.opsflow.activities.command.CommandActivitiesImpl;
import dev.opsflow.activities.diagnostics.ConnectivityActivitiesImpl;
import dev.opsflow.activities.dispatch.DispatchActivitiesImpl;
import dev.opsflow.activities.dispatch.PolicyActivitiesImpl;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.activities.kafka.KafkaActivitiesImpl;
import dev.opsflow.activities.kubernetes.HardLimits;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.activities.kubernetes.NamespaceAllowList;
import dev.opsflow.activities.kubernetes.ResourceConditions;
import dev.opsflow.activities.kubernetes.ServiceRoutingActivitiesImpl;
import dev.opsflow.activities.metrics.MetricsActivitiesImpl;
import dev.opsflow.activities.model.ModelServerActivitiesImpl;
import dev.opsflow.activities.notify.NotificationActivitiesImpl;
import dev.opsflow.activities.postgres.FailoverActivitiesImpl;
import dev.opsflow.activities.postgres.FailoverClusterActivitiesImpl;
import dev.opsflow.activities.postgres.PostgresActivitiesImpl;
import dev.opsflow.activities.postgres.PostgresConnector;
import dev.opsflow.activities.postgres.ReadOnlyQueries;
import dev.opsflow.activities.rollout.BlueGreenActivitiesImpl;
import dev.opsflow.activities.rollout.CanaryPair;
import dev.opsflow.activities.rollout.ReleaseActivitiesImpl;
import dev.opsflow.activities.rollout.ReplicaRatioRouter;
import dev.opsflow.activities.rollout.TrafficRouterActivitiesImpl;
import dev.opsflow.activities.rollout.featureflag.FeatureFlagRouter;
import dev.opsflow.activities.rollout.httproute.HttpRouteRouter;
import dev.opsflow.activities.runbook.RunbookActivitiesImpl;
import dev.opsflow.activities.runbook.RunbookExpressionActivitiesImpl;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.workflows.TaskQueues;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every activity implementation the worker registers, built from the configuration. Clients that
 * hold connections (Kafka admin, Kubernetes) are closed with the catalog.
 */
public final class ActivityCatalog implements AutoCloseable {
  private final List<Object> implementations;

  public ActivityCatalog(List<Object> implementations) {
    this.implementations = List.copyOf(implementations);
  }

  /**
   * @param client the worker's own client: dispatch activities start and signal remediations
   *     through it, exactly as the starter does
   */
  public static ActivityCatalog fromConfig(OpsflowConfig config, WorkflowClient client) {
    HealingPolicy policy = ServerPolicy.from(config);
    return fromConfig(config, client, () -> policy);
  }

  /**
   * Like {@link #fromConfig(OpsflowConfig, WorkflowClient)}, with the safety policy runs read given
   * separately (tests that vary it between runs).
   */
  public static ActivityCatalog fromConfig(
      OpsflowConfig config, WorkflowClient client, Supplier<HealingPolicy> policy) {
    List<Object> impls = new ArrayList<>();
    impls.add(ConnectivityActivitiesImpl.fromConfig(config));
    impls.add(new DispatchActivitiesImpl(new RemediationDispatcher(client, TaskQueues.OPERATIONS)));
    impls.add(new PolicyActivitiesImpl(policy));
    KafkaActivitiesImpl kafka = KafkaActivitiesImpl.fromConfig(config);
    impls.add(kafka);
    // One client for the Kubernetes activities and the runbooks' condition probe (closed with
    // the former).
    KubernetesClient cluster = KubernetesActivitiesImpl.client(config);
    KubernetesActivitiesImpl kubernetes =
        new KubernetesActivitiesImpl(
            cluster,
            new NamespaceAllowList(config.kubernetes().allowedNamespaces()),
            HardLimits.fromConfig(config));
    impls.add(kubernetes);
    PostgresActivitiesImpl postgres = PostgresActivitiesImpl.fromConfig(config);
    impls.add(postgres);
    impls.add(FailoverActivitiesImpl.fromConfig(config));
    impls.add(new FailoverClusterActivitiesImpl(config.failover()));
    impls.add(ServiceRoutingActivitiesImpl.fromConfig(config));
    MetricsActivitiesImpl metrics = MetricsActivitiesImpl.fromConfig(config);
    impls.add(metrics);
    NotificationActivitiesImpl notifications = NotificationActivitiesImpl.fromConfig(config);
    impls.add(notifications);
    CommandActivitiesImpl commands = CommandActivitiesImpl.fromConfig(config);
    impls.add(commands);
    // One flag router for the rollouts and the runbooks' featureFlag.setWeight.
    FeatureFlagRouter featureFlags = new FeatureFlagRouter(config.featureFlags());
    // Runbooks: each catalog operation through the implementation the built-in procedures use.
    impls.add(
        new RunbookActivitiesImpl(
            kubernetes,
            new ResourceConditions(cluster),
            postgres,
            new ReadOnlyQueries(PostgresConnector.fromConfig(config)),
            kafka,
            metrics,
            commands,
            notifications,
            featureFlags,
            config.webhook().configured(),
            policy,
            config.runbooks().httpAllow()));
    impls.add(new RunbookExpressionActivitiesImpl());
    // Canary rollouts: the release steps and the routers share one client (closed with the
    // release activities). One router per TrafficRouterSpec type.
    CanaryPair canaries = CanaryPair.fromConfig(config);
    impls.add(ReleaseActivitiesImpl.fromConfig(config, canaries));
    // Blue-green deployments: the same pair (client, allow list, replica ceiling).
    impls.add(new BlueGreenActivitiesImpl(canaries, ReleaseActivitiesImpl.READY_TIMEOUT_SECONDS));
    // ML model deployments: validate_model asks the model server (rollout.modelServerUrl).
    impls.add(ModelServerActivitiesImpl.fromConfig(config));
    impls.add(
        new TrafficRouterActivitiesImpl(
            List.of(
                new ReplicaRatioRouter(canaries, ReleaseActivitiesImpl.READY_TIMEOUT_SECONDS),
                new HttpRouteRouter(canaries.client(), canaries.allowList()),
                featureFlags)));
    return new ActivityCatalog(impls);
  }

  public List<Object> implementations() {
    return implementations;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (Object impl : implementations) {
      if (impl instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
