package dev.opsflow.activities.postgres;

import java.util.Map;

/**
 * How many of the server's connection slots client sessions hold.
 *
 * @param maxConnections the server's {@code max_connections}
 * @param superuserReserved {@code superuser_reserved_connections}: slots only superusers may take,
 *     so ordinary roles are refused at {@code maxConnections - superuserReserved}
 * @param total client sessions ({@code backend_type = 'client backend'}), this activity's own
 *     included; background workers, autovacuum and WAL senders have slots of their own
 * @param byState client sessions per {@code pg_stat_activity.state} ({@code active}, {@code idle},
 *     {@code idle in transaction}, ...); sessions whose state our role may not see are counted
 *     under {@code not visible}
 * @param percentUsed {@code total} as a percentage of {@code maxConnections}
 */
public record ConnectionUsage(
    int maxConnections,
    int superuserReserved,
    int total,
    Map<String, Integer> byState,
    double percentUsed) {}
