package dev.opsflow.contracts.human;

/**
 * One thing a procedure did (or tried), for the status query and the audit trail.
 *
 * @param action e.g. {@code scale_kafka_consumers}
 * @param target what it acted on, e.g. {@code demo/orders-consumer}
 * @param atMillis workflow time of the attempt
 * @param success whether it succeeded (after the activity's retries)
 * @param detail what changed, or why it failed
 */
public record ActionRecord(
    String action, String target, long atMillis, boolean success, String detail) {}
