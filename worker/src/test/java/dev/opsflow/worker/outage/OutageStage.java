package dev.opsflow.worker.outage;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.BlastRadiusGovernor;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.worker.ActivityCatalog;
import dev.opsflow.worker.SearchAttributeSetup;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.javalin.Javalin;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * What every outage test stands on: the Temporal test service (time skipping, so retry backoffs and
 * cooldowns pass at once while each activity attempt runs in real time), a worker with the real
 * activities built from the configuration, the {@link OutageScript} as its interceptor, and local
 * Slack and PagerDuty endpoints that record what humans were told.
 */
final class OutageStage implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final OutageScript script = new OutageScript();
  final List<String> slackTexts = new CopyOnWriteArrayList<>();
  final List<JsonNode> pagerDutyEvents = new CopyOnWriteArrayList<>();
  private final Javalin notifications;
  private final TestWorkflowEnvironment env;
  private final ActivityCatalog activities;
  private final WorkflowClient client;
  private final RemediationDispatcher dispatcher;

  /**
   * @param settings configuration as environment variables (KUBECONFIG, POSTGRES_URL, ...); Slack
   *     and PagerDuty are added, pointing at the local endpoints
   * @param swap replaces implementations in the worker's list (e.g. a Kafka client with a short
   *     call timeout), identity for none
   */
  OutageStage(Map<String, String> settings, UnaryOperator<List<Object>> swap) {
    notifications =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post(
                      "/api/chat.postMessage",
                      ctx -> {
                        slackTexts.add(URLDecoder.decode(ctx.body(), StandardCharsets.UTF_8));
                        ctx.json(Map.of("ok", true, "channel", "C0OPS", "ts", "1700000000.000100"));
                      });
                  cfg.routes.post(
                      "/v2/enqueue",
                      ctx -> {
                        JsonNode event = JSON.readTree(ctx.body());
                        pagerDutyEvents.add(event);
                        ctx.status(202)
                            .json(
                                Map.of(
                                    "status",
                                    "success",
                                    "message",
                                    "Event processed",
                                    "dedup_key",
                                    event.path("dedup_key").asText()));
                      });
                })
            .start("127.0.0.1", 0);
    Map<String, String> all = new HashMap<>(settings);
    all.put("SLACK_TOKEN", "xoxb-outage-it");
    all.put("SLACK_CHANNEL", "#ops");
    all.put("SLACK_API_URL", "http://127.0.0.1:" + notifications.port() + "/api/");
    all.put("PAGERDUTY_ROUTING_KEY", "routing-key-outage-it");
    all.put("PAGERDUTY_EVENTS_URL", "http://127.0.0.1:" + notifications.port() + "/v2/enqueue");
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(
                    WorkerFactoryOptions.newBuilder().setWorkerInterceptors(script).build())
                .build());
    client = env.getWorkflowClient();
    SearchAttributeSetup.ensure(client);
    OpsflowConfig config = ConfigLoader.load(null, all);
    activities =
        new ActivityCatalog(
            swap.apply(
                new ArrayList<>(
                    ActivityCatalog.fromConfig(config, client, () -> ServerPolicy.from(config))
                        .implementations())));
    Worker worker = env.newWorker(TaskQueues.OPERATIONS);
    WorkflowCatalog.register(worker);
    worker.registerActivitiesImplementations(activities.implementations().toArray());
    env.start();
    dispatcher = new RemediationDispatcher(client, TaskQueues.OPERATIONS);
  }

  /** Delivers the alert as the webhook does and waits for the run's outcome. */
  RemediationOutcome remediate(RemediationRequest request) {
    dispatcher.dispatch(request);
    return client.newUntypedWorkflowStub(request.workflowId()).getResult(RemediationOutcome.class);
  }

  /**
   * The attempt each finished call of {@code activityType} ended on, in order, from the run's
   * history (Temporal records one started event per call, with the attempt that ended it).
   */
  List<Integer> attempts(String workflowId, String activityType) {
    Map<Long, String> scheduled = new HashMap<>();
    List<Integer> attempts = new ArrayList<>();
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(
            event.getEventId(),
            event.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        var started = event.getActivityTaskStartedEventAttributes();
        if (activityType.equals(scheduled.get(started.getScheduledEventId()))) {
          attempts.add(started.getAttempt());
        }
      }
    }
    return attempts;
  }

  /** Waits until the blast-radius governor holds no slot for {@code workflowId}. */
  void awaitSlotReleased(String workflowId) {
    BlastRadiusGovernor governor =
        client.newWorkflowStub(BlastRadiusGovernor.class, GovernorNames.WORKFLOW_ID);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                governor.state().inFlight().stream()
                    .map(GovernorState.Grant::workflowId)
                    .noneMatch(workflowId::equals));
  }

  static AlertNotice firing(String alert) {
    return new AlertNotice(
        alert,
        AlertNotice.FIRING,
        "fp-" + alert,
        "2026-11-23T10:00:00Z",
        Map.of("alertname", alert),
        Map.of(),
        "alertmanager");
  }

  @Override
  public void close() throws Exception {
    env.close();
    activities.close();
    notifications.stop();
  }
}
