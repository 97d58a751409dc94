package dev.opsflow.workflows;

import dev.opsflow.contracts.human.Supervised;
import dev.opsflow.workflows.diagnostics.ConnectivityCheckImpl;
import dev.opsflow.workflows.failover.PostgresFailoverImpl;
import dev.opsflow.workflows.remediation.crashloop.CrashLoopRemediationImpl;
import dev.opsflow.workflows.remediation.disk.DiskPressureRemediationImpl;
import dev.opsflow.workflows.remediation.governor.BlastRadiusGovernorImpl;
import dev.opsflow.workflows.remediation.kafkalag.KafkaLagRemediationImpl;
import dev.opsflow.workflows.remediation.oom.OomRemediationImpl;
import dev.opsflow.workflows.remediation.pgconnections.PostgresConnectionRemediationImpl;
import dev.opsflow.workflows.remediation.watchdog.HealthWatchdogImpl;
import dev.opsflow.workflows.rollout.bluegreen.BlueGreenDeploymentImpl;
import dev.opsflow.workflows.rollout.canary.CanaryRolloutImpl;
import dev.opsflow.workflows.rollout.mlmodel.MlModelDeploymentImpl;
import dev.opsflow.workflows.runbook.RunbookWorkflowImpl;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.util.List;
import java.util.stream.Stream;

/** Every workflow implementation the worker registers, so no procedure is forgotten. */
public final class WorkflowCatalog {
  /** Remediation workflows: the procedures alerts and watchdogs may start. */
  public static final List<Class<?>> REMEDIATIONS =
      List.of(
          KafkaLagRemediationImpl.class,
          PostgresConnectionRemediationImpl.class,
          OomRemediationImpl.class,
          DiskPressureRemediationImpl.class,
          CrashLoopRemediationImpl.class);

  public static final List<Class<?>> IMPLEMENTATIONS =
      Stream.concat(
              Stream.of(
                  ConnectivityCheckImpl.class,
                  PostgresFailoverImpl.class,
                  CanaryRolloutImpl.class,
                  BlueGreenDeploymentImpl.class,
                  MlModelDeploymentImpl.class,
                  RunbookWorkflowImpl.class,
                  BlastRadiusGovernorImpl.class,
                  HealthWatchdogImpl.class),
              REMEDIATIONS.stream())
          .toList();

  /**
   * An input that does not parse (e.g. JSON typed by hand into tctl with a wrong field type) fails
   * the run with Jackson's message naming the field, instead of failing its workflow task over and
   * over while the run looks alive.
   */
  public static final WorkflowImplementationOptions OPTIONS =
      WorkflowImplementationOptions.newBuilder()
          .setFailWorkflowExceptionTypes(DataConverterException.class)
          .build();

  private WorkflowCatalog() {}

  /** Registers every workflow type on a worker, with {@link #OPTIONS}. */
  public static void register(Worker worker) {
    register(worker, OPTIONS);
  }

  /** Registers every workflow type on a worker with {@code options} (built on {@link #OPTIONS}). */
  public static void register(Worker worker, WorkflowImplementationOptions options) {
    worker.registerWorkflowImplementationTypes(options, IMPLEMENTATIONS.toArray(Class<?>[]::new));
  }

  /** Type names of {@link #REMEDIATIONS}, for validating routing rules. */
  public static List<String> remediationTypeNames() {
    return names(REMEDIATIONS);
  }

  /**
   * Types that never wait for a human (they do not implement {@link Supervised}): the approvals
   * inbox does not ask them for {@code progress}.
   */
  public static List<String> unsupervisedTypeNames() {
    return names(
        IMPLEMENTATIONS.stream().filter(c -> !Supervised.class.isAssignableFrom(c)).toList());
  }

  /**
   * Long-running services the stack starts and keeps one of (the governor, the watchdogs): starting
   * another by hand is an admin's call.
   */
  public static List<String> serviceTypeNames() {
    return names(List.of(BlastRadiusGovernorImpl.class, HealthWatchdogImpl.class));
  }

  /** The workflow type names operators start by name (tctl, temporal CLI, opsflow start). */
  public static List<String> typeNames() {
    return names(IMPLEMENTATIONS);
  }

  private static List<String> names(List<Class<?>> implementations) {
    return implementations.stream()
        .flatMap(c -> POJOWorkflowImplMetadata.newInstance(c).getWorkflowMethods().stream())
        .map(POJOWorkflowMethodMetadata::getName)
        .sorted()
        .toList();
  }
}
