package dev.opsflow.workflows.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackBlocksTest {
  private static final String RUN = "crashloop-demo-orders-consumer";
  private static final long SINCE = 1_795_000_000_000L;
  private static final long DEADLINE = SINCE + 3_600_000L;

  private static HumanTask approval(List<String> approvers, int required, int approvals) {
    return new HumanTask(
        HumanTask.APPROVAL,
        "restart demo/orders-consumer",
        "four-eyes: the requester cannot approve",
        "opsflow",
        approvers,
        required,
        approvals,
        SINCE,
        DEADLINE,
        List.of(OperatorNames.APPROVE, OperatorNames.REJECT));
  }

  private static HumanTask failedStep() {
    return new HumanTask(
        HumanTask.FAILED_STEP,
        "scale_kafka_consumers",
        "Forbidden: deployments.apps is forbidden",
        "opsflow",
        List.of(),
        1,
        0,
        SINCE,
        DEADLINE,
        List.of(OperatorNames.RETRY_STEP, OperatorNames.SKIP_STEP, OperatorNames.FAIL_STEP));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> buttons(List<Map<String, Object>> blocks) {
    Map<String, Object> actions = block(blocks, SlackBlocks.DECISION_BLOCK);
    assertThat(actions.get("type")).isEqualTo("actions");
    return (List<Map<String, Object>>) actions.get("elements");
  }

  private static Map<String, Object> block(List<Map<String, Object>> blocks, String id) {
    return blocks.stream().filter(b -> id.equals(b.get("block_id"))).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static String text(Map<String, Object> object) {
    return (String) ((Map<String, Object>) object.get("text")).get("text");
  }

  @SuppressWarnings("unchecked")
  private static String fieldsText(List<Map<String, Object>> blocks) {
    List<Map<String, Object>> fields =
        (List<Map<String, Object>>) block(blocks, "opsflow-ask").get("fields");
    assertThat(fields.size()).isLessThanOrEqualTo(SlackBlocks.MAX_FIELDS);
    return String.join("\n", fields.stream().map(f -> (String) f.get("text")).toList());
  }

  /** The Block Kit rules Slack enforces on an actions block of buttons. */
  @SuppressWarnings("unchecked")
  private static void assertValidActions(List<Map<String, Object>> blocks) {
    List<Map<String, Object>> buttons = buttons(blocks);
    assertThat(buttons).hasSizeLessThanOrEqualTo(25);
    assertThat(buttons.stream().map(b -> b.get("action_id")).toList()).doesNotHaveDuplicates();
    for (Map<String, Object> b : buttons) {
      assertThat(b.get("type")).isEqualTo("button");
      Map<String, Object> label = (Map<String, Object>) b.get("text");
      assertThat(label.get("type")).isEqualTo("plain_text");
      assertThat(((String) label.get("text")).length()).isBetween(1, 75);
      assertThat(((String) b.get("value")).length()).isBetween(1, 2000);
      assertThat(((String) b.get("action_id")).length()).isBetween(1, 255);
      if (b.containsKey("style")) {
        assertThat(b.get("style")).isIn("primary", "danger");
      }
    }
    assertThat(blocks).hasSizeLessThanOrEqualTo(50);
  }

  @Test
  void approvalRequestHasOneButtonPerChoiceEachNamingTheSignalAndTheRun() {
    List<Map<String, Object>> blocks =
        SlackBlocks.request(
            approval(List.of("alice", "bob", "carol"), 2, 1),
            RUN,
            "demo/orders-consumer",
            "orders-consumer is crash-looping");

    List<Map<String, Object>> buttons = buttons(blocks);
    assertThat(buttons).extracting(b -> b.get("action_id")).containsExactly("approve", "reject");
    assertThat(buttons).extracting(b -> b.get("value")).containsOnly(RUN);
    assertThat(buttons).extracting(b -> b.get("style")).containsExactly("primary", "danger");
    assertThat(buttons.get(1)).containsKey("confirm");
    assertValidActions(blocks);

    assertThat(text(block(blocks, SlackBlocks.SUMMARY_BLOCK)))
        .isEqualTo("orders-consumer is crash-looping");
    assertThat(text(block(blocks, "opsflow-ask")))
        .contains("*Wants to:* restart demo/orders-consumer")
        .contains("four-eyes");
    assertThat(fieldsText(blocks))
        .contains("*Target*\ndemo/orders-consumer")
        .contains("*Run*\n" + RUN)
        .contains("*Approvers*\nalice, bob, carol")
        .contains("*Approvals*\n1 of 2 (2 of 3 approvers must agree)")
        .contains("*Deadline*\n<!date^" + DEADLINE / 1000 + "^")
        .contains("|2026-11-18T12:06:40Z>");
  }

  @Test
  void failedStepRequestOffersRetrySkipAndFailAsPlainAndDangerButtons() {
    List<Map<String, Object>> blocks =
        SlackBlocks.request(failedStep(), RUN, "demo/orders", "orders lag is growing");

    List<Map<String, Object>> buttons = buttons(blocks);
    assertThat(buttons)
        .extracting(b -> b.get("action_id"))
        .containsExactly("retryStep", "skipStep", "failStep");
    assertThat(buttons.get(0)).doesNotContainKey("style");
    assertThat(buttons.get(1)).doesNotContainKey("style");
    assertThat(buttons.get(2)).containsEntry("style", "danger").containsKey("confirm");
    assertThat(text(block(blocks, "opsflow-ask")))
        .contains("scale_kafka_consumers")
        .contains("Forbidden: deployments.apps is forbidden");
    assertThat(fieldsText(blocks)).doesNotContain("Approvers").contains("*Answer by*");
    assertValidActions(blocks);
  }

  @Test
  void acknowledgeIsAPlainButton() {
    HumanTask task =
        new HumanTask(
            "escalation",
            "page on-call",
            "",
            "opsflow",
            List.of(),
            1,
            0,
            SINCE,
            0,
            List.of(OperatorNames.ACKNOWLEDGE));
    List<Map<String, Object>> buttons = buttons(SlackBlocks.request(task, RUN, "", "disk full"));
    assertThat(buttons)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b).containsEntry("action_id", "acknowledge").doesNotContainKey("style");
              assertThat(text(b)).isEqualTo("Acknowledge");
            });
  }

  @Test
  void repeatedOrManyChoicesStayWithinTheActionsBlockRules() {
    List<String> choices = new ArrayList<>(List.of("approve", "approve", "reject"));
    for (int i = 0; i < 40; i++) {
      choices.add("custom" + i + "x".repeat(100));
    }
    HumanTask task =
        new HumanTask(
            HumanTask.APPROVAL, "act", "", "opsflow", List.of(), 1, 0, SINCE, DEADLINE, choices);
    String longRun = "r".repeat(1000); // Temporal's default workflow ID limit
    List<Map<String, Object>> blocks = SlackBlocks.request(task, longRun, "", "s");

    assertValidActions(blocks);
    assertThat(buttons(blocks)).hasSize(25);
    assertThat(buttons(blocks).get(0)).containsEntry("action_id", "approve");
    assertThat(buttons(blocks).get(1)).containsEntry("action_id", "reject");
  }

  @Test
  void longTextIsTruncatedToSlackLimitsAndMarkupIsEscaped() {
    String summary = "<!channel> " + "s".repeat(400);
    HumanTask task =
        new HumanTask(
            HumanTask.FAILED_STEP,
            "step",
            "e".repeat(5000),
            "opsflow",
            List.of(),
            1,
            0,
            SINCE,
            DEADLINE,
            List.of("retryStep"));
    List<Map<String, Object>> blocks = SlackBlocks.request(task, RUN, "<@U123>", summary);

    assertThat(text(block(blocks, SlackBlocks.SUMMARY_BLOCK))).hasSize(150).endsWith("…");
    assertThat(text(block(blocks, "opsflow-ask")).length()).isLessThanOrEqualTo(3000);
    assertThat(fieldsText(blocks)).contains("&lt;@U123&gt;").doesNotContain("<@U123>");
  }

  @Test
  void outcomeHasNoButtonsAndSaysWhoDecided() {
    List<Map<String, Object>> blocks =
        SlackBlocks.outcome(
            RUN,
            "demo/orders-consumer",
            "orders-consumer is crash-looping",
            "Approved by alice, bob (2 of 2)");

    assertThat(blocks).noneMatch(b -> "actions".equals(b.get("type")));
    assertThat(text(block(blocks, "opsflow-outcome")))
        .isEqualTo("*Approved by alice, bob (2 of 2)*");
    assertThat(SlackBlocks.summaryOf(blocks)).isEqualTo("orders-consumer is crash-looping");
    assertThat(
            SlackBlocks.outcomeText(RUN, "orders-consumer is crash-looping", "Approved by alice"))
        .isEqualTo("Approved by alice: orders-consumer is crash-looping [run " + RUN + "]");
  }

  @Test
  void approvalOutcomeNamesTheDecidersThatCounted() {
    List<ApprovalRecord> approved =
        List.of(
            new ApprovalRecord("mallory", true, "", 1, "mallory is not an approver"),
            new ApprovalRecord("alice", true, "", 2, ""),
            new ApprovalRecord("bob", true, "lgtm", 3, ""));
    assertThat(SlackBlocks.approvalOutcome(status(ApprovalResult.APPROVED, 2, approved)))
        .isEqualTo("Approved by alice, bob (2 of 2)");

    List<ApprovalRecord> rejected =
        List.of(
            new ApprovalRecord("alice", true, "", 2, ""),
            new ApprovalRecord("carol", false, "not during the sale", 3, ""));
    assertThat(SlackBlocks.approvalOutcome(status(ApprovalResult.REJECTED, 1, rejected)))
        .isEqualTo("Rejected by carol: not during the sale");

    List<ApprovalRecord> timedOut =
        List.of(new ApprovalRecord("timeout", false, "no decision within 60s: escalate", 9, ""));
    assertThat(SlackBlocks.approvalOutcome(status(ApprovalResult.ESCALATE, 0, timedOut)))
        .isEqualTo("Timed out: escalated");
    assertThat(SlackBlocks.approvalOutcome(status(ApprovalResult.REJECTED, 0, timedOut)))
        .isEqualTo("Timed out: rejected");

    assertThat(
            SlackBlocks.approvalOutcome(status(ApprovalResult.PENDING, 1, approved.subList(0, 2))))
        .isEqualTo("Waiting: 1 of 2 approvals");
  }

  @Test
  void answerOutcomeSaysWhatTheSignalDid() {
    assertThat(SlackBlocks.answerOutcome("retryStep", new Decision("alice", null)))
        .isEqualTo("Retry requested by alice");
    assertThat(SlackBlocks.answerOutcome("failStep", new Decision("bob", "broken for good")))
        .isEqualTo("Step failed and escalated by bob: broken for good");
    assertThat(SlackBlocks.answerOutcome("acknowledge", new Decision("carol", "")))
        .isEqualTo("Acknowledged by carol");
  }

  @Test
  void requestTextIsAUsableFallback() {
    assertThat(SlackBlocks.requestText(approval(List.of("alice", "bob"), 2, 0), RUN, "orders down"))
        .isEqualTo(
            "Approval needed (0 of 2) to restart"
                + " demo/orders-consumer: orders down [run "
                + RUN
                + "; choices: approve, reject]");
  }

  @Test
  void blocksAreJsonAndTheSameForTheSameInput() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String once = json.writeValueAsString(SlackBlocks.request(failedStep(), RUN, "t", "s"));
    String twice = json.writeValueAsString(SlackBlocks.request(failedStep(), RUN, "t", "s"));
    assertThat(once).isEqualTo(twice);
  }

  @Test
  void refusesAWorkflowIdThatCannotBeAButtonValue() {
    assertThatThrownBy(() -> SlackBlocks.request(failedStep(), "", "t", "s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlackBlocks.outcome("x".repeat(2001), "t", "s", "o"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SlackBlocks.summaryOf(Collections.emptyList())).isNull();
  }

  private static ApprovalStatus status(
      ApprovalResult state, int approvals, List<ApprovalRecord> decisions) {
    return new ApprovalStatus(
        state,
        "restart",
        "opsflow",
        List.of("alice", "bob", "carol"),
        2,
        approvals,
        SINCE,
        DEADLINE,
        decisions);
  }
}
