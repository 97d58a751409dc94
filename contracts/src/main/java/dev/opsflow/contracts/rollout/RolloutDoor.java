package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.run.OneRunDoor;
import dev.opsflow.contracts.run.RunStarted;
import io.temporal.client.WorkflowClient;
import java.util.List;

/**
 * Starts a rollout the way the CLI and the REST API both do: the request is checked first (nothing
 * starts with a problem in it) and runs on its Deployment's workflow ID ({@link
 * RolloutTarget#workflowId()}), so two rollouts of one Deployment never move its traffic at once.
 */
public final class RolloutDoor {
  private RolloutDoor() {}

  /** A request the door refuses, with every problem as "field: reason". */
  public static final class Refused extends IllegalArgumentException {
    private final List<String> problems;

    public Refused(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /**
   * Starts the canary, or answers with the rollout already running on the Deployment.
   *
   * @throws Refused when the request has problems (then nothing was started)
   */
  public static RunStarted start(WorkflowClient client, String taskQueue, CanaryRequest request) {
    return start(client, taskQueue, request, null);
  }

  /**
   * The same under {@code requestId} ({@link OneRunDoor#start(WorkflowClient, String, String,
   * String, Object, String)}).
   */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, CanaryRequest request, String requestId) {
    List<String> problems = request == null ? List.of("request: is required") : request.problems();
    if (!problems.isEmpty()) {
      throw new Refused(problems);
    }
    return OneRunDoor.start(
        client, taskQueue, request.target().workflowId(), CanaryRollout.TYPE, request, requestId);
  }

  /**
   * Starts the blue-green release, or answers with the rollout already running on the Deployment.
   *
   * @throws Refused when the request has problems (then nothing was started)
   */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, BlueGreenRequest request) {
    return start(client, taskQueue, request, null);
  }

  /**
   * The same under {@code requestId} ({@link OneRunDoor#start(WorkflowClient, String, String,
   * String, Object, String)}).
   */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, BlueGreenRequest request, String requestId) {
    List<String> problems = request == null ? List.of("request: is required") : request.problems();
    if (!problems.isEmpty()) {
      throw new Refused(problems);
    }
    return OneRunDoor.start(
        client,
        taskQueue,
        request.target().workflowId(),
        BlueGreenDeployment.TYPE,
        request,
        requestId);
  }

  /**
   * Starts the ML model deployment, or answers with the rollout already running on the Deployment.
   *
   * @throws Refused when the request has problems (then nothing was started)
   */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, MlDeploymentRequest request) {
    return start(client, taskQueue, request, null);
  }

  /**
   * The same under {@code requestId} ({@link OneRunDoor#start(WorkflowClient, String, String,
   * String, Object, String)}).
   */
  public static RunStarted start(
      WorkflowClient client, String taskQueue, MlDeploymentRequest request, String requestId) {
    List<String> problems = request == null ? List.of("request: is required") : request.problems();
    if (!problems.isEmpty()) {
      throw new Refused(problems);
    }
    return OneRunDoor.start(
        client,
        taskQueue,
        request.target().workflowId(),
        MlModelDeployment.TYPE,
        request,
        requestId);
  }
}
