package dev.opsflow.activities.notify;

/**
 * Where a Slack message is, so it can be updated or replied to later.
 *
 * @param channel the channel id Slack reports (an id such as {@code C0123}, even if a name was
 *     given)
 * @param ts the message's timestamp, Slack's id for it within the channel
 * @param alreadyPosted true when this worker had already posted a message for the same action id
 *     and returned it instead of posting again; always false for updates
 */
public record SlackPosted(String channel, String ts, boolean alreadyPosted) {}
