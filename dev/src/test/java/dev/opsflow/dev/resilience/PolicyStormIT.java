package dev.opsflow.dev.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.dev.DevStack;
import dev.opsflow.sandbox.kafka.EmbeddedKafka;
import dev.opsflow.sandbox.kubernetes.ApiRequest;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random alert storms through the real dispatch path (the dev stack's {@code POST /alerts}) against
 * a cluster with namespaces inside and outside the allow-list, Deployments that exist and some that
 * do not, random severities and repeats (resends of an episode and new episodes of a problem). The
 * Kubernetes API records every request opsflow sends, so what was done is counted, not inferred.
 * Every failure message names the seed; {@code -Dstorm.seed=N} replays a storm.
 */
class PolicyStormIT {
  private static final long SEED = Long.getLong("storm.seed", 20261123L);
  private static final List<String> ALLOWED = List.of("team-a", "team-b");
  private static final List<String> OUTSIDE = List.of("kube-system", "prod-payments");
  private static final int MAX_REPLICAS = 4;
  private static final String CONSUMER = "orders-consumer";
  private static final String CRASHER = "payments-api";
  private static final String GHOST = "never-deployed";
  private static final List<String> SEVERITIES = List.of("critical", "warning", "info", "page", "");
  private static final int ALERTS_PER_BURST = 120;
  private static final Set<Phase> MAY_STILL_ACT =
      EnumSet.of(
          Phase.RECEIVED,
          Phase.CONFIRMING,
          Phase.WAITING_FOR_ADMISSION,
          Phase.ACTING,
          Phase.SETTLING,
          Phase.VERIFYING);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static KubernetesSandbox kubernetes;
  private static EmbeddedKafka kafka;
  private static DevStack stack;
  private static final List<ApiRequest> requests = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    kubernetes = KubernetesSandbox.start();
    kafka = EmbeddedKafka.start();
    for (String ns : concat(ALLOWED, OUTSIDE)) {
      kubernetes
          .client()
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      kubernetes.createDeployment(ns, CONSUMER, 1, "64Mi", "128Mi");
      kubernetes.createDeployment(ns, CRASHER, 1, "64Mi", "128Mi");
      // Far more lag than MAX_REPLICAS consumers would be sized for: 12 partitions, 30000 behind.
      kafka.seedLaggingGroup(ns + "-orders", 12, ns + "-orders", 30_000, 0);
    }
    kubernetes.reconcile();
    for (String ns : concat(ALLOWED, OUTSIDE)) {
      kubernetes.setContainerStatus(
          ns,
          CRASHER,
          new ContainerStatusBuilder()
              .withName("app")
              .withReady(false)
              .withRestartCount(9)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .endWaiting()
              .endState()
              .build());
    }
    kubernetes.onRequest(requests::add);
    Path dir = Files.createTempDirectory("policy-storm");
    Map<String, String> settings = new HashMap<>();
    settings.put("KUBECONFIG", kubernetes.writeKubeconfig(dir).toString());
    settings.put("KUBERNETES_ALLOWED_NAMESPACES", String.join(",", ALLOWED));
    settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    settings.put("MAX_REPLICAS", Integer.toString(MAX_REPLICAS));
    settings.put("CONFIRM_DELAY_HIGH", "0s");
    settings.put("CONFIRM_DELAY_MEDIUM", "0s");
    settings.put("CONFIRM_DELAY_LOW", "0s");
    settings.put("SETTLE_TIME", "0s");
    // The whole test runs inside one cooldown: no problem may see a second action.
    settings.put("ACTION_COOLDOWN", "30m");
    stack = DevStack.start(ConfigLoader.load(null, settings), "127.0.0.1", 0, 0);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
  }

  @Test
  void aRandomStormNeverActsOutsideThePolicy() throws Exception {
    String seed = "storm seed " + SEED + " (-Dstorm.seed=" + SEED + " replays it)";
    Random random = new Random(SEED);
    AlertPosts alerts = new AlertPosts(stack.httpUrl(), DevStack.DEV_WEBHOOK_TOKEN);
    Set<String> workflows = new LinkedHashSet<>();
    Map<String, Integer> answers = new TreeMap<>();

    // Burst 1: first episodes and their resends. Burst 2: new episodes of the same problems,
    // begun after the first actions, while the cooldown holds.
    for (int burst = 0; burst < 2; burst++) {
      for (int i = 0; i < ALERTS_PER_BURST; i++) {
        String ns = pick(random, concat(ALLOWED, OUTSIDE));
        String deployment = pick(random, List.of(CONSUMER, CRASHER, GHOST));
        boolean lag =
            deployment.equals(CONSUMER) || deployment.equals(GHOST) && random.nextBoolean();
        Map<String, String> labels = new HashMap<>();
        labels.put("alertname", lag ? "KafkaConsumerLagHigh" : "KubePodCrashLooping");
        labels.put("namespace", ns);
        labels.put("deployment", deployment);
        String severity = pick(random, SEVERITIES);
        if (!severity.isEmpty()) {
          labels.put("severity", severity);
        }
        if (lag) {
          labels.put("consumergroup", ns + "-orders");
          labels.put("topic", ns + "-orders");
        }
        int episode = burst * 10 + random.nextInt(3);
        String startsAt =
            burst == 0 ? "2026-11-23T10:0" + episode + ":00.000Z" : Instant.now().toString();
        String fingerprint =
            Integer.toHexString((ns + deployment + labels.get("alertname")).hashCode())
                + "e"
                + episode;
        AlertPosts.Answer answer = alerts.fire(labels, fingerprint, startsAt);
        answers.merge(Integer.toString(answer.status()), 1, Integer::sum);
        assertThat(answer.status()).as(seed + ": " + answer.body()).isEqualTo(202);
        workflows.addAll(answer.workflows());
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .alias(seed + ": every run past the point where it could act")
          .until(() -> workflows.stream().noneMatch(PolicyStormIT::mayStillAct));
    }

    List<ApiRequest> byOpsflow = requests.stream().filter(ApiRequest::byOpsflow).toList();
    Map<String, Long> byNamespaceAndVerb =
        byOpsflow.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.namespace() + " " + r.verb() + " " + r.resource(),
                    TreeMap::new,
                    Collectors.counting()));
    String tally = seed + "; answers " + answers + "; opsflow's requests " + byNamespaceAndVerb;

    // 1. No namespace outside the allow-list touched.
    List<ApiRequest> outside =
        byOpsflow.stream().filter(r -> r.mutating() && !ALLOWED.contains(r.namespace())).toList();
    assertThat(outside).as(tally).isEmpty();
    for (String ns : OUTSIDE) {
      assertThat(deployment(ns, CONSUMER).getSpec().getReplicas()).as(tally).isEqualTo(1);
      assertThat(annotations(deployment(ns, CRASHER))).as(tally).isEmpty();
    }

    // 2. Never above MAX_REPLICAS: neither in any write nor on the cluster.
    List<Integer> replicasWritten = new ArrayList<>();
    for (ApiRequest r : byOpsflow) {
      if (r.mutating() && r.resource().equals("deployments") && !r.body().isEmpty()) {
        for (JsonNode op : JSON.readTree(r.body())) {
          if (op.path("path").asText().equals("/spec/replicas")) {
            replicasWritten.add(op.path("value").asInt());
          }
        }
      }
    }
    assertThat(replicasWritten).as(tally).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(4));
    for (String ns : concat(ALLOWED, OUTSIDE)) {
      for (String name : List.of(CONSUMER, CRASHER)) {
        assertThat(deployment(ns, name).getSpec().getReplicas())
            .as(tally)
            .isLessThanOrEqualTo(MAX_REPLICAS);
      }
    }

    // 3. Never two actions on one problem inside the cooldown: on the cluster (writes per
    // Deployment) and in what every run of every problem recorded.
    Map<String, Long> writesPerDeployment =
        byOpsflow.stream()
            .filter(r -> r.mutating() && r.resource().equals("deployments"))
            .collect(
                Collectors.groupingBy(
                    r -> r.namespace() + "/" + r.name(), TreeMap::new, Collectors.counting()));
    assertThat(writesPerDeployment).as(tally).allSatisfy((d, n) -> assertThat(n).isEqualTo(1));
    Map<String, Integer> actionsPerProblem = new TreeMap<>();
    for (String workflowId : workflows) {
      int acted = 0;
      for (RemediationStatus status : statusOfEveryRun(workflowId)) {
        acted += (int) status.actions().stream().filter(ActionRecord::success).count();
      }
      actionsPerProblem.put(workflowId, acted);
    }
    assertThat(actionsPerProblem)
        .as(tally + "; actions per problem " + actionsPerProblem)
        .allSatisfy((id, n) -> assertThat(n).isLessThanOrEqualTo(1));

    // 4. No pod deleted: opsflow sent no DELETE at all.
    assertThat(byOpsflow.stream().filter(r -> r.verb().equals("DELETE")).toList())
        .as(tally)
        .isEmpty();

    // The storm did reach the cluster: each allowed namespace's real problems got their one action
    // (so the checks above are about a storm that acted, not one that was dropped).
    for (String ns : ALLOWED) {
      assertThat(deployment(ns, CONSUMER).getSpec().getReplicas())
          .as(tally + ": " + ns + "/" + CONSUMER + " scaled to the ceiling")
          .isEqualTo(MAX_REPLICAS);
      assertThat(annotations(deployment(ns, CRASHER)))
          .as(tally + ": " + ns + "/" + CRASHER + " restarted")
          .containsKey("opsflow.dev/restart-action-id");
    }
    assertThat(actionsPerProblem.values().stream().mapToInt(Integer::intValue).sum())
        .as(tally)
        .isEqualTo(2 * ALLOWED.size());
  }

  /** True while the run open under this ID could still act (not yet past admission and acting). */
  private static boolean mayStillAct(String workflowId) {
    try {
      RemediationStatus status =
          stack
              .client()
              .newUntypedWorkflowStub(workflowId)
              .query(RemediationSignals.STATUS, RemediationStatus.class);
      return MAY_STILL_ACT.contains(status.phase());
    } catch (RuntimeException e) {
      return true; // not queryable yet (first workflow task pending)
    }
  }

  private static List<RemediationStatus> statusOfEveryRun(String workflowId) {
    WorkflowServiceGrpc.WorkflowServiceBlockingStub service =
        stack.client().getWorkflowServiceStubs().blockingStub();
    String namespace = stack.client().getOptions().getNamespace();
    WorkflowExecutionFilter filter =
        WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId).build();
    List<WorkflowExecution> runs = new ArrayList<>();
    for (WorkflowExecutionInfo info :
        service
            .listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsList()) {
      runs.add(info.getExecution());
    }
    for (WorkflowExecutionInfo info :
        service
            .listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsList()) {
      runs.add(info.getExecution());
    }
    List<RemediationStatus> statuses = new ArrayList<>();
    for (WorkflowExecution run : runs) {
      statuses.add(
          stack
              .client()
              .newUntypedWorkflowStub(workflowId, Optional.of(run.getRunId()), Optional.empty())
              .query(RemediationSignals.STATUS, RemediationStatus.class));
    }
    return statuses;
  }

  private static Deployment deployment(String ns, String name) {
    return kubernetes.client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static Map<String, String> annotations(Deployment d) {
    var meta = d.getSpec().getTemplate().getMetadata();
    return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  private static <T> T pick(Random random, List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
