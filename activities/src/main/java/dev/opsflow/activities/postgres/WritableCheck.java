package dev.opsflow.activities.postgres;

/**
 * Whether a member takes writes now ({@link FailoverActivities#verifyWritable}).
 *
 * @param member the member's name
 * @param writable true when it is out of recovery, new transactions are read-write and one was
 *     given a transaction id
 * @param inRecovery true on a standby
 * @param transactionReadOnly true when a new transaction is read-only (fenced)
 * @param transactionId the id {@code txid_current()} assigned; null when not writable
 * @param reason why it is not writable; null when it is
 */
public record WritableCheck(
    String member,
    boolean writable,
    boolean inRecovery,
    boolean transactionReadOnly,
    Long transactionId,
    String reason) {}
