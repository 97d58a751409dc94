package dev.opsflow.activities.notify;

import java.util.List;
import java.util.Map;

/**
 * A new text and blocks for a message posted earlier, e.g. to show an approval's outcome.
 *
 * @param channel the channel id the message was posted to ({@link SlackPosted#channel()})
 * @param ts the message's timestamp ({@link SlackPosted#ts()})
 * @param text the new text
 * @param blocks the new Block Kit blocks; {@code null} or empty removes the blocks
 */
public record SlackUpdate(
    String channel, String ts, String text, List<Map<String, Object>> blocks) {}
