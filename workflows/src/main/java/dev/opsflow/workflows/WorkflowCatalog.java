package dev.opsflow.workflows;

import dev.opsflow.workflows.diagnostics.ConnectivityCheckImpl;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import java.util.List;

/** Every workflow implementation the worker registers, so no procedure is forgotten. */
public final class WorkflowCatalog {
  public static final List<Class<?>> IMPLEMENTATIONS = List.of(ConnectivityCheckImpl.class);

  private WorkflowCatalog() {}

  /** The workflow type names operators start by name (tctl, temporal CLI, opsflow start). */
  public static List<String> typeNames() {
    return IMPLEMENTATIONS.stream()
        .flatMap(c -> POJOWorkflowImplMetadata.newInstance(c).getWorkflowMethods().stream())
        .map(POJOWorkflowMethodMetadata::getName)
        .sorted()
        .toList();
  }
}
