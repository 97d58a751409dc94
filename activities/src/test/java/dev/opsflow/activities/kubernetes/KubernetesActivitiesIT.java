package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode, seeded like a real cluster's objects. */
class KubernetesActivitiesIT {
  private static final String NS = "demo";
  private static KubernetesSandbox sandbox;
  private static KubernetesActivitiesImpl activities;

  @BeforeAll
  static void start() {
    sandbox = KubernetesSandbox.start();
    sandbox.seedDemo(NS);
    sandbox.createDeployment("kube-system", "coredns", 2, "70Mi", "170Mi");
    activities =
        new KubernetesActivitiesImpl(
            sandbox.client(), new NamespaceAllowList(List.of(NS)), new HardLimits(10, "8Gi"));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static Deployment deployment(String ns, String name) {
    return sandbox.client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static Consumer<ApplicationFailure> type(String type, boolean nonRetryable) {
    return f -> {
      assertThat(f.getType()).isEqualTo(type);
      assertThat(f.isNonRetryable()).isEqualTo(nonRetryable);
    };
  }

  @Test
  void scalesToExactlyNAndASecondCallChangesNothingButReportsTheCountFromBefore() {
    sandbox.createDeployment(NS, "scale-me", 1, "64Mi", "128Mi");
    ScaleResult first = activities.scaleDeployment(new ScaleRequest("a1", NS, "scale-me", 6));
    // A retry of the same action (its worker died before reporting): the count before the first.
    ScaleResult again = activities.scaleDeployment(new ScaleRequest("a1", NS, "scale-me", 6));
    // Another action that finds the count already there changes nothing and says so.
    ScaleResult other = activities.scaleDeployment(new ScaleRequest("a2", NS, "scale-me", 6));

    assertThat(first).isEqualTo(new ScaleResult(1, 6, true));
    assertThat(again).isEqualTo(new ScaleResult(1, 6, true));
    assertThat(other).isEqualTo(new ScaleResult(6, 6, false));
    Deployment scaled = deployment(NS, "scale-me");
    assertThat(scaled.getSpec().getReplicas()).isEqualTo(6);
    assertThat(scaled.getMetadata().getAnnotations())
        .containsEntry("opsflow.dev/scale-action-id", "a1")
        .containsEntry("opsflow.dev/scale-previous-replicas", "1");
    DeploymentInfo rolled = activities.waitForRollout(NS, "scale-me", 30);
    assertThat(rolled.availableReplicas()).isEqualTo(6);
    assertThat(activities.listPods(NS, "app=scale-me"))
        .hasSize(6)
        .allMatch(p -> p.deployment().equals("scale-me"));
  }

  @Test
  void raisesMemoryOfTheNamedContainerOnly() {
    // A Deployment of its own: a raise rolls out new pods, which would take the OOMKilled pod of
    // the demo's Deployment away from the test that reads it.
    sandbox.createDeployment(NS, "raise-me", 1, "512Mi", "1Gi");
    MemoryResult result =
        activities.setContainerMemory(new MemoryRequest("m1", NS, "raise-me", "app", "1Gi", "2Gi"));
    assertThat(result).isEqualTo(new MemoryResult("512Mi", "1Gi", "1Gi", "2Gi", true));
    var resources =
        deployment(NS, "raise-me")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getResources();
    assertThat(resources.getLimits().get("memory").toString()).isEqualTo("2Gi");
    assertThat(resources.getRequests().get("memory").toString()).isEqualTo("1Gi");
    assertThat(resources.getRequests().get("cpu").toString()).as("cpu untouched").isEqualTo("100m");
    // A retry of the same action reports the memory from before its first attempt.
    assertThat(
            activities.setContainerMemory(
                new MemoryRequest("m1", NS, "raise-me", "app", "1Gi", "2Gi")))
        .isEqualTo(result);
    // Another action that finds the memory already set changes nothing and says so.
    assertThat(
            activities
                .setContainerMemory(new MemoryRequest("m2", NS, "raise-me", "app", "1Gi", "2Gi"))
                .changed())
        .isFalse();
  }

  @Test
  void rolloutRestartStampsTheTemplateOncePerAction() {
    sandbox.createDeployment(NS, "restart-me", 1, "64Mi", "128Mi");
    RestartResult first = activities.rolloutRestart(new RestartRequest("r1", NS, "restart-me"));
    RestartResult retry = activities.rolloutRestart(new RestartRequest("r1", NS, "restart-me"));
    assertThat(first.changed()).isTrue();
    assertThat(retry).as("a retry reports the first attempt's restart").isEqualTo(first);
    Map<String, String> annotations =
        deployment(NS, "restart-me").getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations)
        .containsEntry(KubernetesActivitiesImpl.RESTARTED_AT, first.restartedAt())
        .containsEntry(KubernetesActivitiesImpl.RESTART_ACTION, "r1");
    assertThat(activities.rolloutRestart(new RestartRequest("r2", NS, "restart-me")).changed())
        .isTrue();
  }

  @Test
  void listsPodStatesShapedLikeARealCluster() {
    List<PodInfo> oom = activities.listPods(NS, "app=" + KubernetesSandbox.OOM);
    assertThat(oom).hasSize(1);
    ContainerState c = oom.get(0).containers().get(0);
    assertThat(c.lastTerminationReason()).isEqualTo("OOMKilled");
    assertThat(c.lastTerminationExitCode()).isEqualTo(137);
    assertThat(c.restartCount()).isEqualTo(3);
    assertThat(oom.get(0).deployment()).isEqualTo(KubernetesSandbox.OOM);

    List<PodInfo> looping = activities.listPods(NS, "app=" + KubernetesSandbox.CRASH_LOOP);
    assertThat(looping.get(0).containers().get(0).stateReason()).isEqualTo("CrashLoopBackOff");
    assertThat(looping.get(0).containers().get(0).restartCount()).isEqualTo(12);
  }

  @Test
  void aNamespaceOutsideTheAllowListIsRefusedAndNothingChanges() {
    assertThatThrownBy(
            () -> activities.scaleDeployment(new ScaleRequest("x", "kube-system", "coredns", 0)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, type(FailureTypes.FORBIDDEN_TARGET, true));
    assertThatThrownBy(
            () -> activities.rolloutRestart(new RestartRequest("x", "kube-system", "coredns")))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, type(FailureTypes.FORBIDDEN_TARGET, true));
    assertThat(deployment("kube-system", "coredns").getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            deployment("kube-system", "coredns")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();
  }

  @Test
  void aMissingDeploymentIsNotFound() {
    assertThatThrownBy(() -> activities.getDeployment(NS, "nope"))
        .isInstanceOfSatisfying(ApplicationFailure.class, type(FailureTypes.NOT_FOUND, true));
    assertThatThrownBy(() -> activities.scaleDeployment(new ScaleRequest("x", NS, "nope", 2)))
        .isInstanceOfSatisfying(ApplicationFailure.class, type(FailureTypes.NOT_FOUND, true));
  }

  @Test
  void repointsAServiceSelector() {
    ServicePatchResult result =
        activities.patchServiceSelector(
            new ServicePatch("s1", NS, "db", Map.of("app", "db", "role", "replica")));
    assertThat(result.previousSelector()).containsEntry("role", "primary");
    assertThat(result.changed()).isTrue();
    assertThat(
            sandbox
                .client()
                .services()
                .inNamespace(NS)
                .withName("db")
                .get()
                .getSpec()
                .getSelector())
        .containsEntry("role", "replica");
    assertThat(
            activities
                .patchServiceSelector(
                    new ServicePatch("s1", NS, "db", Map.of("app", "db", "role", "replica")))
                .changed())
        .isFalse();
  }

  @Test
  void execRunsTheCommandInEveryMatchingPod() throws Exception {
    sandbox.createDeployment(NS, "web", 1, "64Mi", "128Mi");
    sandbox.reconcile();
    String pod = activities.listPods(NS, "app=web").get(0).name();
    String df =
        "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 91 9 91% /var/log/app\n";
    sandbox
        .server()
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/demo/pods/"
                + pod
                + "/exec?command=df&command=-P&command=%2Fvar%2Flog%2Fapp&container=app&stdout=true&stderr=true")
        .andUpgradeToWebSocket()
        .open(new OutputStreamMessage(df), new StatusStreamMessage(0))
        .done()
        .always();

    List<ExecOutput> outputs =
        activities.execInPods(
            new ExecRequest("e1", NS, "app=web", "app", List.of("df", "-P", "/var/log/app"), 10));

    assertThat(outputs).hasSize(1);
    assertThat(outputs.get(0).pod()).isEqualTo(pod);
    assertThat(outputs.get(0).exitCode()).isZero();
    assertThat(outputs.get(0).stdout()).contains("91% /var/log/app");
  }

  @Test
  void forbiddenAndUnreachableApiServersAreClassified() throws Exception {
    sandbox
        .server()
        .expect()
        .get()
        .withPath("/apis/apps/v1/namespaces/demo/deployments/secret")
        .andReturn(403, "forbidden")
        .always();
    assertThatThrownBy(() -> activities.getDeployment(NS, "secret"))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, type(FailureTypes.PERMISSION_DENIED, true));

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (KubernetesClient dead =
        new KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + closed)
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      KubernetesActivitiesImpl unreachable =
          new KubernetesActivitiesImpl(
              dead, new NamespaceAllowList(List.of(NS)), new HardLimits(10, "8Gi"));
      assertThatThrownBy(() -> unreachable.getDeployment(NS, "x"))
          .isInstanceOfSatisfying(ApplicationFailure.class, type("KubernetesUnavailable", false));
    }
  }

  @Test
  void failuresReachTheWorkflowWithTheirTypeThroughTemporal() {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(activities);
      KubernetesActivities stub =
          env.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);
      assertThat(stub.getDeployment(NS, KubernetesSandbox.CONSUMER).replicas()).isEqualTo(1);
      assertThatThrownBy(
              () -> stub.scaleDeployment(new ScaleRequest("t", "kube-system", "coredns", 9)))
          .isInstanceOfSatisfying(
              ActivityFailure.class,
              e ->
                  assertThat(e.getCause())
                      .isInstanceOfSatisfying(
                          ApplicationFailure.class, type(FailureTypes.FORBIDDEN_TARGET, true)));
    } finally {
      env.close();
    }
  }

  @Test
  void everyWriteHeartbeatsSoThatADeadWorkersAttemptTimesOutWithinSeconds() {
    sandbox.createDeployment(NS, "beating", 1, "64Mi", "128Mi");
    assertThat(KubernetesOptions.MUTATING_K8S.getHeartbeatTimeout())
        .isLessThan(KubernetesOptions.MUTATING_K8S.getStartToCloseTimeout());
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    List<String> beats = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      env.registerActivitiesImplementations(activities);
      env.setActivityHeartbeatListener(String.class, beats::add);
      KubernetesActivities stub =
          env.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);

      stub.scaleDeployment(new ScaleRequest("hb1", NS, "beating", 2));
      stub.setContainerMemory(new MemoryRequest("hb2", NS, "beating", "app", "96Mi", "192Mi"));
      stub.rolloutRestart(new RestartRequest("hb3", NS, "beating"));

      // The first heartbeat of each attempt (later ones are throttled by the SDK).
      assertThat(beats)
          .contains(
              "scale Deployment demo/beating",
              "set memory of demo/beating",
              "rollout restart demo/beating");
      assertThat(deployment(NS, "beating").getSpec().getReplicas()).isEqualTo(2);
    } finally {
      env.close();
    }
  }

  @Test
  void aSlowButLiveWriteKeepsHeartbeatingAndIsNotTimedOut() {
    sandbox.createDeployment(NS, "slow-write", 1, "64Mi", "128Mi");
    // The API server holds the PATCH's answer past the 5 s heartbeat timeout.
    sandbox.holdFirstAnswer(
        r -> r.verb().equals("PATCH") && r.name().equals("slow-write"),
        java.time.Duration.ofSeconds(7),
        r -> {});
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(activities);
      KubernetesActivities stub =
          env.newActivityStub(KubernetesActivities.class, KubernetesOptions.MUTATING_K8S);

      ScaleResult result = stub.scaleDeployment(new ScaleRequest("slow1", NS, "slow-write", 3));

      assertThat(result).isEqualTo(new ScaleResult(1, 3, true));
      assertThat(deployment(NS, "slow-write").getSpec().getReplicas()).isEqualTo(3);
    } finally {
      env.close();
    }
  }
}
