package dev.opsflow.activities.postgres;

import java.util.List;
import java.util.Map;

/**
 * What {@link PostgresActivities#terminateIdleSessions} did.
 *
 * @param actionId the request's action id
 * @param dryRun true when nothing was ended
 * @param terminated how many sessions were ended (0 in a dry run)
 * @param pids the process ids of the sessions ended, or in a dry run those that would be, ascending
 * @param skipped sessions left alone, counted by reason: {@value IdleSessionPolicy#OWN_SESSION},
 *     {@value IdleSessionPolicy#NOT_CLIENT_BACKEND}, {@value IdleSessionPolicy#OTHER_DATABASE},
 *     {@value IdleSessionPolicy#SUPERUSER_SESSION}, {@value IdleSessionPolicy#STATE_NOT_VISIBLE},
 *     {@value IdleSessionPolicy#NOT_IDLE}, {@value IdleSessionPolicy#IDLE_TOO_BRIEFLY}, and {@value
 *     PostgresActivitiesImpl#CHANGED_BEFORE_END} for a session that became busy or ended between
 *     looking and acting
 */
public record TerminateIdleResult(
    String actionId,
    boolean dryRun,
    int terminated,
    List<Integer> pids,
    Map<String, Integer> skipped) {}
