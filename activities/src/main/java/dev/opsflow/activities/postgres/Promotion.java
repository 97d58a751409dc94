package dev.opsflow.activities.postgres;

/**
 * The outcome of {@link PostgresActivities#promote}.
 *
 * @param actionId the request's action id
 * @param promoted true when this call turned a standby into a primary
 * @param alreadyPrimary true when the server was no standby, so nothing was done
 */
public record Promotion(String actionId, boolean promoted, boolean alreadyPrimary) {}
