package dev.opsflow.activities.notify;

import java.util.List;
import java.util.Map;

/**
 * A message to post to Slack with {@code chat.postMessage}.
 *
 * @param actionId the action this message belongs to (made with {@code Workflow.randomUUID()});
 *     posting the same action id twice from one worker posts once
 * @param channel channel id or name; {@code null} or blank means the configured {@code
 *     slack.channel}
 * @param text the message text, and the fallback shown in notifications when blocks are given
 * @param blocks Block Kit blocks as JSON objects (e.g. {@code {"type":"section","text":{...}}});
 *     {@code null} or empty for a plain text message
 * @param threadTs the {@code ts} of a message to reply to in its thread; {@code null} for a new
 *     message
 */
public record SlackMessage(
    String actionId,
    String channel,
    String text,
    List<Map<String, Object>> blocks,
    String threadTs) {

  /** A plain text message to the configured channel. */
  public static SlackMessage text(String actionId, String text) {
    return new SlackMessage(actionId, null, text, null, null);
  }
}
