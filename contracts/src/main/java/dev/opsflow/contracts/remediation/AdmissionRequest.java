package dev.opsflow.contracts.remediation;

/**
 * A remediation asks the blast-radius governor for permission to act.
 *
 * @param workflowId the asking remediation, signalled {@code admitted} when it may act
 * @param namespace where it will act
 * @param severity critical, high, medium or low: critical requests are admitted first
 * @param leaseSeconds the slot is taken back after this long even without a release, so a
 *     remediation that died cannot block others forever
 * @param maxInFlight limit overall (from the requester's policy)
 * @param maxInFlightPerNamespace limit per namespace
 */
public record AdmissionRequest(
    String workflowId,
    String namespace,
    String severity,
    long leaseSeconds,
    int maxInFlight,
    int maxInFlightPerNamespace) {}
