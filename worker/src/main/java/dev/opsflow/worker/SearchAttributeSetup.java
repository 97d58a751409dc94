package dev.opsflow.worker;

import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.GetSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the custom search attributes the workflows upsert ({@link OpsflowSearchAttributes})
 * exist before the worker polls: a workflow that upserts an unknown attribute would fail its
 * workflow tasks over and over. Missing ones are created; if that is not allowed (Temporal Cloud, a
 * restricted operator role) the worker refuses to start and prints the command to run once.
 */
public final class SearchAttributeSetup {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeSetup.class);

  private SearchAttributeSetup() {}

  public static void ensure(WorkflowClient client) {
    String namespace = client.getOptions().getNamespace();
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(client.getWorkflowServiceStubs().getRawChannel())
                .validateAndBuildWithDefaults());
    Map<String, IndexedValueType> missing = new LinkedHashMap<>(OpsflowSearchAttributes.ALL);
    // The dev service answers neither list call; a real cluster answers at least one.
    existing(client, operator, namespace)
        .ifPresent(
            known ->
                OpsflowSearchAttributes.ALL.forEach(
                    (name, type) -> {
                      IndexedValueType has = known.get(name);
                      if (has == null) {
                        return;
                      }
                      if (has != type) {
                        throw new IllegalStateException(
                            "Search attribute "
                                + name
                                + " exists in namespace "
                                + namespace
                                + " with type "
                                + has
                                + "; opsflow needs "
                                + type);
                      }
                      missing.remove(name);
                    }));
    if (missing.isEmpty()) {
      return;
    }
    try {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(missing)
                  .build());
      log.info("Registered search attributes {} in namespace {}", missing.keySet(), namespace);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        return;
      }
      throw new IllegalStateException(
          "Search attributes "
              + missing.keySet()
              + " are missing in namespace "
              + namespace
              + " and opsflow may not create them ("
              + e.getStatus().getCode()
              + "). Create them once, then start the worker again:\n"
              + missing.keySet().stream()
                  .map(
                      name ->
                          "  temporal operator search-attribute create --namespace "
                              + namespace
                              + " --name "
                              + name
                              + " --type Keyword")
                  .collect(Collectors.joining("\n")),
          e);
    } finally {
      operator.shutdown();
    }
  }

  private static Optional<Map<String, IndexedValueType>> existing(
      WorkflowClient client, OperatorServiceStubs operator, String namespace) {
    try {
      return Optional.of(
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap());
    } catch (StatusRuntimeException e) {
      if (!unanswered(e)) {
        throw e;
      }
    }
    try {
      return Optional.of(
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .getSearchAttributes(GetSearchAttributesRequest.getDefaultInstance())
              .getKeysMap());
    } catch (StatusRuntimeException e) {
      if (!unanswered(e)) {
        throw e;
      }
      return Optional.empty();
    }
  }

  private static boolean unanswered(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNIMPLEMENTED || code == Status.Code.PERMISSION_DENIED;
  }
}
