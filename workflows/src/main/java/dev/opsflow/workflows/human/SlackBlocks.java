package dev.opsflow.workflows.human;

import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.rollout.RolloutNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Slack message (Block Kit blocks plus the plain {@code text} fallback) for a request that
 * waits for a human, and for its outcome once decided. Pure and deterministic, so workflow code can
 * build the message it posts; the starter's Slack endpoint builds the same shapes when it answers a
 * click.
 *
 * <p>Every button's {@code action_id} is the signal (or Update) name it sends and its {@code value}
 * the workflow ID, so a click maps to exactly one operator command on one run. The summary sits in
 * a header block with the stable id {@link #SUMMARY_BLOCK}, so a re-render after a click keeps the
 * wording the workflow chose ({@link #summaryOf}).
 */
public final class SlackBlocks {
  /** The header block carrying the one-line summary. */
  public static final String SUMMARY_BLOCK = "opsflow-summary";

  /** The actions block holding the decision buttons. */
  public static final String DECISION_BLOCK = "opsflow-decision";

  // Block Kit limits (api.slack.com/reference/block-kit): longer input is rejected by Slack.
  static final int MAX_HEADER_TEXT = 150;
  static final int MAX_SECTION_TEXT = 3000;
  static final int MAX_FIELD_TEXT = 2000;
  static final int MAX_FIELDS = 10;
  static final int MAX_BUTTON_TEXT = 75;
  static final int MAX_BUTTON_VALUE = 2000;
  static final int MAX_ACTION_ELEMENTS = 25;
  static final int MAX_CONTEXT_TEXT = 2000;

  private SlackBlocks() {}

  /**
   * Blocks asking for a decision: the summary, what the run wants to do and why, who may decide,
   * how many approvals it has and needs, the deadline, and one button per {@link
   * HumanTask#choices()}.
   *
   * @param task what the run waits for (from its {@code progress} query or the gate)
   * @param workflowId the run's workflow ID; every button carries it as its value
   * @param target what the run works on, e.g. {@code demo/orders-consumer}; blank to leave out
   * @param summary one line saying what happened, e.g. "orders-consumer is crash-looping"
   */
  public static List<Map<String, Object>> request(
      HumanTask task, String workflowId, String target, String summary) {
    return request(task, workflowId, target, summary, null);
  }

  /**
   * Like {@link #request(HumanTask, String, String, String)}, with a line on what happened so far
   * (e.g. "alice approved (1 of 2)"); {@code note} null or blank leaves it out.
   */
  public static List<Map<String, Object>> request(
      HumanTask task, String workflowId, String target, String summary, String note) {
    requireWorkflowId(workflowId);
    List<Map<String, Object>> blocks = new ArrayList<>();
    blocks.add(header(summary));

    Map<String, Object> ask = section(mrkdwn(askText(task)));
    ask.put("block_id", "opsflow-ask");
    List<Map<String, Object>> fields = new ArrayList<>();
    if (target != null && !target.isBlank()) {
      fields.add(field("Target", target));
    }
    fields.add(field("Run", workflowId));
    if (HumanTask.APPROVAL.equals(task.kind())) {
      fields.add(
          field(
              "Approvers",
              task.approvers().isEmpty() ? "any operator" : String.join(", ", task.approvers())));
      fields.add(field("Approvals", approvalCount(task)));
      fields.add(field("Requested by", blankAs(task.requestedBy(), "opsflow")));
    }
    if (task.deadlineMillis() > 0) {
      fields.add(
          fieldRaw(
              HumanTask.APPROVAL.equals(task.kind()) ? "*Deadline*" : "*Answer by*",
              date(task.deadlineMillis())));
    }
    ask.put("fields", new ArrayList<>(fields.subList(0, Math.min(fields.size(), MAX_FIELDS))));
    blocks.add(ask);

    if (note != null && !note.isBlank()) {
      blocks.add(context(escape(note)));
    }
    blocks.add(actions(task.choices(), workflowId));
    return blocks;
  }

  /**
   * The notification text for {@link #request}: what Slack shows where blocks cannot be shown
   * (notifications, screen readers, old clients).
   */
  public static String requestText(HumanTask task, String workflowId, String summary) {
    String what =
        HumanTask.FAILED_STEP.equals(task.kind())
            ? "Step " + task.action() + " failed, a human must answer"
            : "Approval needed ("
                + task.approvals()
                + " of "
                + task.required()
                + ") to "
                + task.action();
    return what
        + ": "
        + blankAs(summary, "(no summary)")
        + " [run "
        + workflowId
        + "; choices: "
        + String.join(", ", task.choices())
        + "]";
  }

  /**
   * Blocks showing how a request ended, without buttons, e.g. "Approved by alice, bob (2 of 2)".
   *
   * @param outcome one line, e.g. from {@link #approvalOutcome} or {@link #answerOutcome}
   */
  public static List<Map<String, Object>> outcome(
      String workflowId, String target, String summary, String outcome) {
    requireWorkflowId(workflowId);
    List<Map<String, Object>> blocks = new ArrayList<>();
    blocks.add(header(summary));
    Map<String, Object> result = section(mrkdwn("*" + escape(blankAs(outcome, "Decided")) + "*"));
    result.put("block_id", "opsflow-outcome");
    blocks.add(result);
    String where =
        (target == null || target.isBlank() ? "" : "Target " + escape(target) + " · ")
            + "Run `"
            + escape(workflowId)
            + "`";
    blocks.add(context(where));
    return blocks;
  }

  /** The notification text for {@link #outcome}. */
  public static String outcomeText(String workflowId, String summary, String outcome) {
    return blankAs(outcome, "Decided")
        + ": "
        + blankAs(summary, "(no summary)")
        + " [run "
        + workflowId
        + "]";
  }

  /**
   * One line on an approval gate's state: "Approved by alice, bob (2 of 2)", "Rejected by carol:
   * not during the sale", "Timed out: escalated", or "Waiting: 1 of 2 approvals" while pending.
   */
  public static String approvalOutcome(ApprovalStatus status) {
    List<ApprovalRecord> counted =
        status.decisions().stream().filter(d -> d.ignoredBecause().isEmpty()).toList();
    boolean timedOut = counted.stream().anyMatch(d -> "timeout".equals(d.by()));
    if (timedOut) {
      return switch (status.state()) {
        case APPROVED -> "Timed out: approved by policy";
        case REJECTED -> "Timed out: rejected";
        default -> "Timed out: escalated";
      };
    }
    if (status.state() == ApprovalResult.APPROVED) {
      String by =
          counted.stream()
              .filter(ApprovalRecord::approve)
              .map(ApprovalRecord::by)
              .collect(Collectors.toCollection(LinkedHashSet::new))
              .stream()
              .collect(Collectors.joining(", "));
      return "Approved by " + by + " (" + status.approvals() + " of " + status.required() + ")";
    }
    if (status.state() == ApprovalResult.REJECTED) {
      return counted.stream()
          .filter(d -> !d.approve())
          .findFirst()
          .map(d -> "Rejected by " + d.by() + withComment(d.comment()))
          .orElse("Rejected");
    }
    if (status.state() == ApprovalResult.ESCALATE) {
      return "Timed out: escalated";
    }
    return "Waiting: " + status.approvals() + " of " + status.required() + " approvals";
  }

  /**
   * One line on an answer sent by signal: "Retry requested by alice", "Skipped by alice", "Run
   * failed by alice: broken beyond retry", "Acknowledged by alice".
   */
  public static String answerOutcome(String signal, Decision decision) {
    String by = decision == null || decision.by() == null ? "" : decision.by();
    String comment = decision == null ? null : withComment(decision.comment());
    String verb =
        switch (signal) {
          case OperatorNames.APPROVE -> "Approved by ";
          case OperatorNames.REJECT -> "Rejected by ";
          case OperatorNames.RETRY_STEP -> "Retry requested by ";
          case OperatorNames.SKIP_STEP -> "Step skipped by ";
          case OperatorNames.FAIL_STEP -> "Step failed and escalated by ";
          case OperatorNames.ACKNOWLEDGE -> "Acknowledged by ";
          default -> signal + " by ";
        };
    return verb + by + comment;
  }

  /**
   * The summary a message built here carries (its {@link #SUMMARY_BLOCK} header), or null when the
   * blocks have none; lets a click handler re-render the message in the workflow's own words.
   */
  public static String summaryOf(List<Map<String, Object>> blocks) {
    if (blocks == null) {
      return null;
    }
    for (Map<String, Object> block : blocks) {
      if (SUMMARY_BLOCK.equals(block.get("block_id"))
          && block.get("text") instanceof Map<?, ?> text
          && text.get("text") instanceof String summary) {
        return summary;
      }
    }
    return null;
  }

  /** The label a choice's button shows. */
  public static String label(String choice) {
    return switch (choice) {
      case OperatorNames.APPROVE -> "Approve";
      case OperatorNames.REJECT -> "Reject";
      case OperatorNames.RETRY_STEP -> "Retry step";
      case OperatorNames.SKIP_STEP -> "Skip step";
      case OperatorNames.FAIL_STEP -> "Fail the step (escalate)";
      case OperatorNames.ACKNOWLEDGE -> "Acknowledge";
      case RolloutNames.PROMOTE -> "Promote (next step)";
      case RolloutNames.PROMOTE_FULL -> "Promote fully";
      case RolloutNames.ABORT -> "Abort and roll back";
      case RolloutNames.RESUME -> "Resume";
      case RolloutNames.RETRY -> "Retry the rollout";
      default -> choice;
    };
  }

  private static String askText(HumanTask task) {
    if (HumanTask.FAILED_STEP.equals(task.kind())) {
      String error = blankAs(task.detail(), "(no error message)");
      return truncate(
          "*Step failed after its retries:* "
              + escape(task.action())
              + "\n*Error:* "
              + escape(error)
              + "\nRetry it, skip it (where allowed) or fail the run.",
          MAX_SECTION_TEXT);
    }
    String why =
        task.detail() == null || task.detail().isBlank() ? "" : "\n_" + escape(task.detail()) + "_";
    return truncate("*Wants to:* " + escape(task.action()) + why, MAX_SECTION_TEXT);
  }

  private static String approvalCount(HumanTask task) {
    String of =
        task.approvers().isEmpty()
            ? ""
            : " (" + task.required() + " of " + task.approvers().size() + " approvers must agree)";
    return task.approvals() + " of " + task.required() + of;
  }

  private static Map<String, Object> actions(List<String> choices, String workflowId) {
    List<Map<String, Object>> buttons = new ArrayList<>();
    // action_id must be unique within the block, and a block holds at most 25 elements.
    for (String choice : new LinkedHashSet<>(choices)) {
      if (buttons.size() == MAX_ACTION_ELEMENTS) {
        break;
      }
      Map<String, Object> button = new LinkedHashMap<>();
      button.put("type", "button");
      button.put("action_id", choice);
      button.put("text", plain(truncate(label(choice), MAX_BUTTON_TEXT)));
      button.put("value", workflowId);
      if (OperatorNames.APPROVE.equals(choice)) {
        button.put("style", "primary");
      } else if (OperatorNames.REJECT.equals(choice) || OperatorNames.FAIL_STEP.equals(choice)) {
        button.put("style", "danger");
        // A destructive answer asks once more: a misclick on Reject stops the remediation.
        Map<String, Object> confirm = new LinkedHashMap<>();
        confirm.put("title", plain(label(choice) + "?"));
        confirm.put("text", plain(confirmText(choice)));
        confirm.put("confirm", plain(label(choice)));
        confirm.put("deny", plain("Cancel"));
        button.put("confirm", confirm);
      }
      buttons.add(button);
    }
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "actions");
    block.put("block_id", DECISION_BLOCK);
    block.put("elements", buttons);
    return block;
  }

  private static String confirmText(String choice) {
    return OperatorNames.REJECT.equals(choice)
        ? "The run will not act and closes as rejected."
        : "The run stops here and its compensation runs.";
  }

  private static Map<String, Object> header(String summary) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "header");
    block.put("block_id", SUMMARY_BLOCK);
    block.put("text", plain(truncate(blankAs(summary, "opsflow"), MAX_HEADER_TEXT)));
    return block;
  }

  private static Map<String, Object> section(Map<String, Object> text) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "section");
    block.put("text", text);
    return block;
  }

  private static Map<String, Object> context(String mrkdwnText) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "context");
    block.put("elements", List.of(mrkdwn(truncate(mrkdwnText, MAX_CONTEXT_TEXT))));
    return block;
  }

  private static Map<String, Object> field(String name, String value) {
    return fieldRaw("*" + name + "*", escape(value));
  }

  private static Map<String, Object> fieldRaw(String name, String mrkdwnValue) {
    return mrkdwn(truncate(name + "\n" + mrkdwnValue, MAX_FIELD_TEXT));
  }

  private static Map<String, Object> plain(String text) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("type", "plain_text");
    object.put("text", text);
    object.put("emoji", true);
    return object;
  }

  private static Map<String, Object> mrkdwn(String text) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("type", "mrkdwn");
    object.put("text", text);
    return object;
  }

  /** Slack's date token: each reader sees their own time zone; the fallback is UTC. */
  private static String date(long epochMillis) {
    long seconds = epochMillis / 1000;
    return "<!date^"
        + seconds
        + "^{date_short_pretty} {time}|"
        + Instant.ofEpochSecond(seconds)
        + ">";
  }

  /** Slack mrkdwn treats these three as control characters (links, mentions). */
  static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String truncate(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int cut = max - 1;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut) + "…";
  }

  private static String withComment(String comment) {
    return comment == null || comment.isBlank() ? "" : ": " + comment;
  }

  private static String blankAs(String text, String fallback) {
    return text == null || text.isBlank() ? fallback : text;
  }

  private static void requireWorkflowId(String workflowId) {
    // The ID travels as every button's value; Temporal's default limit (1000) keeps it far below.
    if (workflowId == null || workflowId.isBlank() || workflowId.length() > MAX_BUTTON_VALUE) {
      throw new IllegalArgumentException(
          "workflowId must be 1 to " + MAX_BUTTON_VALUE + " characters");
    }
  }
}
