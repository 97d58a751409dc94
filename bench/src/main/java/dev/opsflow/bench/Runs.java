package dev.opsflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the bench reads back from Temporal through the client: runs, histories, queries. */
final class Runs {
  private final WorkflowClient client;

  Runs(WorkflowClient client) {
    this.client = client;
  }

  private String namespace() {
    return client.getOptions().getNamespace();
  }

  /** Open runs whose workflow ID starts with {@code prefix} (ListOpenWorkflowExecutions). */
  List<WorkflowExecutionInfo> open(String prefix) {
    List<WorkflowExecutionInfo> found = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse r =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listOpenWorkflowExecutions(
                  ListOpenWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(namespace())
                      .setMaximumPageSize(1000)
                      .setNextPageToken(page)
                      .build());
      r.getExecutionsList().stream()
          .filter(e -> e.getExecution().getWorkflowId().startsWith(prefix))
          .forEach(found::add);
      page = r.getNextPageToken();
    } while (!page.isEmpty());
    return found;
  }

  /** Closed runs whose workflow ID starts with {@code prefix}. */
  List<WorkflowExecutionInfo> closed(String prefix) {
    List<WorkflowExecutionInfo> found = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      ListClosedWorkflowExecutionsResponse r =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(namespace())
                      .setMaximumPageSize(1000)
                      .setNextPageToken(page)
                      .build());
      r.getExecutionsList().stream()
          .filter(e -> e.getExecution().getWorkflowId().startsWith(prefix))
          .forEach(found::add);
      page = r.getNextPageToken();
    } while (!page.isEmpty());
    return found;
  }

  /** The latest run of a workflow as DescribeWorkflowExecution tells it. */
  WorkflowExecutionInfo describe(String workflowId) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build())
        .getWorkflowExecutionInfo();
  }

  /** How many events of a type the latest run's history has. */
  int events(String workflowId, EventType type) {
    return events(workflowId, e -> e.getEventType() == type);
  }

  /** How many local activities the latest run ran (each is a "LocalActivity" marker). */
  int localActivities(String workflowId) {
    return events(
        workflowId,
        e ->
            e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
                && e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity"));
  }

  private int events(
      String workflowId,
      java.util.function.Predicate<io.temporal.api.history.v1.HistoryEvent> which) {
    int count = 0;
    ByteString page = ByteString.EMPTY;
    do {
      GetWorkflowExecutionHistoryResponse r =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace(namespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .setNextPageToken(page)
                      .build());
      count += (int) r.getHistory().getEventsList().stream().filter(which).count();
      page = r.getNextPageToken();
    } while (!page.isEmpty());
    return count;
  }

  /** A query's answer as JSON. */
  JsonNode query(String workflowId, String query) {
    return client
        .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty())
        .query(query, JsonNode.class);
  }
}
