package dev.opsflow.starter.api;

import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every run that waits for a human, across all workflow types: the Web UI cannot show it, so
 * opsflow asks. It lists the running runs (ListOpenWorkflowExecutions, all pages) and asks each for
 * its {@code progress} at once; a run that does not answer (a type without the query, no worker, or
 * too slow) is named under {@code unreadable}, never silently dropped from the count.
 */
public final class ApprovalInbox {
  /** At most this many running runs are looked at. */
  static final int MAX_RUNS = 5_000;

  private final Executions executions;
  private final Set<String> neverWaiting;

  /**
   * @param neverWaiting workflow types that never wait for a human; their runs are counted but not
   *     asked
   */
  public ApprovalInbox(Executions executions, Set<String> neverWaiting) {
    this.executions = executions;
    this.neverWaiting = Set.copyOf(neverWaiting);
  }

  /** The inbox over opsflow's own types (its watchdogs and governor are never asked). */
  public ApprovalInbox(Executions executions) {
    this(executions, Set.copyOf(WorkflowCatalog.unsupervisedTypeNames()));
  }

  /**
   * One thing a run waits for.
   *
   * @param executionId the workflow ID
   * @param task what it waits for, who may decide, since when
   */
  public record Waiting(
      String executionId, String workflowType, String target, String severity, HumanTask task) {
    /** The JSON the REST API and {@code opsflow approvals --json} print. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("executionId", executionId);
      m.put("workflowType", workflowType);
      m.put("target", target);
      m.put("severity", severity);
      m.put("kind", task.kind());
      m.put("action", task.action());
      m.put("detail", task.detail());
      m.put("requestedBy", task.requestedBy());
      m.put("approvers", task.approvers());
      m.put("required", task.required());
      m.put("approvals", task.approvals());
      m.put("since", Instant.ofEpochMilli(task.sinceMillis()).toString());
      m.put(
          "deadline",
          task.deadlineMillis() > 0 ? Instant.ofEpochMilli(task.deadlineMillis()).toString() : "");
      m.put("choices", task.choices());
      return m;
    }
  }

  /**
   * @param waiting oldest first
   * @param scanned running runs looked at
   * @param unreadable running runs that did not answer {@code progress} (their IDs)
   */
  public record Inbox(List<Waiting> waiting, int scanned, List<String> unreadable) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", waiting.size());
      m.put("waiting", waiting.stream().map(Waiting::toJson).toList());
      m.put("scanned", scanned);
      m.put("unreadable", unreadable);
      return m;
    }
  }

  /**
   * @param kind {@link HumanTask#APPROVAL}, {@link HumanTask#FAILED_STEP}, or null for both
   */
  public Inbox read(String kind) {
    List<WorkflowExecutionInfo> all = executions.open(MAX_RUNS);
    List<WorkflowExecutionInfo> running =
        all.stream().filter(i -> !neverWaiting.contains(i.getType().getName())).toList();
    List<Optional<Progress>> answers =
        executions.progress(running.stream().map(WorkflowExecutionInfo::getExecution).toList());
    List<Waiting> waiting = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (int i = 0; i < running.size(); i++) {
      WorkflowExecutionInfo info = running.get(i);
      String id = info.getExecution().getWorkflowId();
      Optional<Progress> progress = answers.get(i);
      if (progress.isEmpty()) {
        unreadable.add(id);
        continue;
      }
      Progress p = progress.get();
      for (HumanTask task : p.waitingFor()) {
        if (kind == null || kind.equals(task.kind())) {
          waiting.add(new Waiting(id, info.getType().getName(), p.target(), p.severity(), task));
        }
      }
    }
    waiting.sort(Comparator.comparingLong(w -> w.task().sinceMillis()));
    return new Inbox(List.copyOf(waiting), all.size(), List.copyOf(unreadable));
  }
}
