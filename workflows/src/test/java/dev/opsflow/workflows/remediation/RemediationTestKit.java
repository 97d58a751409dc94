package dev.opsflow.workflows.remediation;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.opsflow.activities.dispatch.DispatchActivitiesImpl;
import dev.opsflow.activities.dispatch.PolicyActivitiesImpl;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.activities.kafka.ConsumerLag;
import dev.opsflow.activities.kafka.KafkaActivities;
import dev.opsflow.activities.kubernetes.ContainerSpec;
import dev.opsflow.activities.kubernetes.ContainerState;
import dev.opsflow.activities.kubernetes.DeploymentInfo;
import dev.opsflow.activities.kubernetes.DeploymentInspection;
import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.activities.kubernetes.KubernetesActivities;
import dev.opsflow.activities.kubernetes.PodInfo;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.PagerDutyResult;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.activities.postgres.PostgresActivities;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A time-skipping Temporal environment with every workflow registered, the real dispatch path
 * (signal-with-start through the environment's client, the real governor) and mocked activities for
 * the systems. Used by the remediation workflow tests and by {@code RecordHistories}.
 */
public final class RemediationTestKit implements AutoCloseable {
  public final TestWorkflowEnvironment env;
  public final WorkflowClient client;
  public final KubernetesActivities k8s =
      mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  public final KafkaActivities kafka =
      mock(KafkaActivities.class, withSettings().withoutAnnotations());
  public final PostgresActivities postgres =
      mock(PostgresActivities.class, withSettings().withoutAnnotations());
  public final NotificationActivities notify =
      mock(NotificationActivities.class, withSettings().withoutAnnotations());
  public final RemediationDispatcher dispatcher;

  public RemediationTestKit() {
    this(TestEnvironmentOptions.getDefaultInstance());
  }

  /** With the test service's own options, e.g. a metrics scope the workflows report into. */
  public RemediationTestKit(TestEnvironmentOptions options) {
    this(options, WorkflowCatalog.OPTIONS);
  }

  /**
   * With the workflows' own options, e.g. a shorter budget for one activity type where a test must
   * wait for it to run out (a local activity's schedule-to-close passes in real time).
   */
  public RemediationTestKit(WorkflowImplementationOptions workflowOptions) {
    this(TestEnvironmentOptions.getDefaultInstance(), workflowOptions);
  }

  private RemediationTestKit(
      TestEnvironmentOptions options, WorkflowImplementationOptions workflowOptions) {
    env = TestWorkflowEnvironment.newInstance(options);
    client = env.getWorkflowClient();
    dispatcher = new RemediationDispatcher(client, TaskQueues.OPERATIONS);
    OpsflowSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(TaskQueues.OPERATIONS);
    WorkflowCatalog.register(worker, workflowOptions);
    worker.registerActivitiesImplementations(
        k8s,
        kafka,
        postgres,
        notify,
        new DispatchActivitiesImpl(dispatcher),
        new PolicyActivitiesImpl(() -> serverPolicy.get() == null ? policy() : serverPolicy.get()));
    when(notify.postSlack(any())).thenReturn(new SlackPosted("#ops", "1.1", false));
    // Unless a test says otherwise, the target exists, is allowed, and nobody else controls it.
    when(k8s.inspectDeployment(any(), any()))
        .thenAnswer(
            inv ->
                new DeploymentInspection(
                    inv.getArgument(0), inv.getArgument(1), true, true, 1, "", "", ""));
    when(notify.pagerDuty(any())).thenReturn(new PagerDutyResult("success", "k"));
  }

  /**
   * The worker's configured policy, which runs read. Unless a test sets it, it is the policy of the
   * last request {@link #dispatch dispatched} (the test's server is configured as the test says).
   */
  public final AtomicReference<HealingPolicy> serverPolicy = new AtomicReference<>();

  private boolean serverPolicyFixed;

  /** Configures the worker's policy; requests' policies no longer change it. */
  public RemediationTestKit serverPolicy(HealingPolicy policy) {
    serverPolicy.set(policy);
    serverPolicyFixed = true;
    return this;
  }

  public RemediationTestKit start() {
    env.start();
    return this;
  }

  public static HealingPolicy policy() {
    return ServerPolicy.from(OpsflowConfig.defaults().healing());
  }

  public static AlertNotice firing(String alertName, String startsAt) {
    return new AlertNotice(
        alertName,
        AlertNotice.FIRING,
        "fp-" + alertName,
        startsAt,
        Map.of("alertname", alertName),
        Map.of(),
        "alertmanager");
  }

  public static AlertNotice resolved(String alertName, String startsAt) {
    return new AlertNotice(
        alertName,
        AlertNotice.RESOLVED,
        "fp-" + alertName,
        startsAt,
        Map.of("alertname", alertName),
        Map.of(),
        "alertmanager");
  }

  public static RemediationRequest request(
      String procedure, Target target, String severity, HealingPolicy policy, AlertNotice notice) {
    return new RemediationRequest(
        procedure,
        target,
        new RunEnvelope(severity, notice, RemediationRequest.AUTOMATON, null),
        null,
        policy);
  }

  /** Delivers a notice the way the webhook does, and returns the remediation's stub. */
  public WorkflowStub dispatch(RemediationRequest request) {
    if (!serverPolicyFixed && request.policy() != null) {
      serverPolicy.set(request.policy());
    }
    dispatcher.dispatch(request);
    return client.newUntypedWorkflowStub(request.workflowId());
  }

  public RemediationOutcome outcome(RemediationRequest request) {
    return client.newUntypedWorkflowStub(request.workflowId()).getResult(RemediationOutcome.class);
  }

  public RemediationStatus status(RemediationRequest request) {
    return client
        .newUntypedWorkflowStub(request.workflowId())
        .query("status", RemediationStatus.class);
  }

  /** What {@code df -P} prints in pod web-1 for a log file system at {@code percent}% use. */
  public static List<ExecOutput> df(int percent) {
    return List.of(
        new ExecOutput(
            "web-1",
            0,
            "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 "
                + percent
                + " 9 "
                + percent
                + "% /var/log/app\n",
            ""));
  }

  public static ConsumerLag lag(String group, long total, String topic, int partitions) {
    return new ConsumerLag(group, total, List.of(), List.of(), Map.of(topic, partitions));
  }

  public static DeploymentInfo deployment(
      String ns, String name, int replicas, String memoryRequest, String memoryLimit) {
    return new DeploymentInfo(
        ns,
        name,
        replicas,
        replicas,
        replicas,
        replicas,
        2,
        2,
        List.of(new ContainerSpec("app", "img:1", memoryRequest, memoryLimit, "100m", "")),
        true);
  }

  public static PodInfo pod(
      String name, String deployment, String stateReason, String lastTermination) {
    return new PodInfo(
        name,
        "Running",
        "node-1",
        deployment,
        Map.of("app", deployment),
        List.of(
            new ContainerState(
                "app",
                stateReason.isEmpty(),
                3,
                stateReason.isEmpty() ? "running" : "waiting",
                stateReason,
                lastTermination,
                lastTermination.isEmpty() ? 0 : 137)));
  }

  @Override
  public void close() {
    env.close();
  }
}
