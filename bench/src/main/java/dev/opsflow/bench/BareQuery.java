package dev.opsflow.bench;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.Optional;

/**
 * The bare yardstick of {@code opsflow status}: a JVM that connects with the Temporal SDK, asks one
 * workflow one query, prints the answer and exits. What is left of the CLI's time beyond this is
 * opsflow's own start-up.
 */
public final class BareQuery {
  private BareQuery() {}

  public static void main(String[] args) {
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(args[0]).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(service);
      Object answer =
          client
              .newUntypedWorkflowStub(args[1], Optional.empty(), Optional.empty())
              .query(args.length > 2 ? args[2] : "status", Object.class);
      System.out.println(answer);
    } finally {
      service.shutdownNow();
    }
  }
}
