package dev.opsflow.activities.postgres;

/**
 * The outcome of {@link FailoverActivities#promote}.
 *
 * @param actionId the request's action id
 * @param member the promoted member
 * @param promoted true when this call turned the standby into a primary
 * @param alreadyPrimary true when the member had already left recovery, so nothing was done (a
 *     retry after a lost answer, or a second request)
 * @param replayLsn the last WAL position replayed before it left recovery: what the new primary has
 *     of the old one's WAL
 */
public record PromotionResult(
    String actionId, String member, boolean promoted, boolean alreadyPrimary, String replayLsn) {}
