package dev.opsflow.activities.runbook;

import dev.opsflow.contracts.runbook.RunbookEvent;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * What a runbook's steps do to the world, one method per step kind, each dispatching on the
 * operation's name in {@link dev.opsflow.contracts.runbook.RunbookCatalog} to the activity that
 * does the same for the built-in procedures (Kubernetes, PostgreSQL, Kafka, Prometheus, commands,
 * notifications). The safety policy is the server's and is enforced here, where the action happens:
 * the namespace allow-list and the replica and memory ceilings of the Kubernetes activities, the
 * read-only transaction of a SQL probe, commands only where {@code command.enabled} is true. No
 * parameter of a runbook loosens them.
 *
 * <p>Run each call with the step's options ({@link RunbookOptions#forStep}): its timeout and retry
 * policy. Failures keep the types of the activity that failed ({@code ForbiddenTarget}, {@code
 * PolicyViolation}, {@code NotFound}, ... non-retryable; unavailable systems retryable).
 */
@ActivityInterface(namePrefix = "Runbook")
public interface RunbookActivities {
  /**
   * Asks a check step's probe. A probe that could not read fails (it is never a pass); a probe that
   * read answers with its result and its own verdict.
   */
  @ActivityMethod
  ProbeAnswer probe(OperationCall call);

  /** Takes an action step's action, idempotently by the call's action id. */
  @ActivityMethod
  ActionAnswer act(OperationCall call);

  /** Sends a notify step's message to its channel; answers what was sent where. */
  @ActivityMethod
  String notify(RunbookNotice notice);

  /** The names of the subscribers configured for runbook events (empty: nobody subscribes). */
  @ActivityMethod
  List<String> eventSubscribers();

  /**
   * Delivers one event to every subscriber, with {@code workflowId#sequence} as the idempotency
   * key, so a retried delivery can be dropped by the receiver.
   */
  @ActivityMethod
  void deliverEvent(RunbookEvent event);
}
