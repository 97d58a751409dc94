package dev.opsflow.contracts.failover;

import java.util.List;

/**
 * A failover's state and timeline: the {@code status} query's answer while it runs, and its result.
 *
 * @param cluster the cluster's name
 * @param mode switchover or failover
 * @param primary the member that was primary when the run began ("" until known)
 * @param candidate the member promoted or to be promoted ("" until chosen)
 * @param phase where the run is (mirrored in the {@code OpsflowPhase} search attribute)
 * @param outcome how it ended ({@link FailoverOutcome#RUNNING} while it runs)
 * @param lagBytes the last replication lag read, in bytes (null: unknown)
 * @param lagSeconds the same in seconds (null: unknown)
 * @param dataLossBytes writes the promotion may lose: 0 for a switchover that replayed the final
 *     position, the last known lag for a failover (null: unknown)
 * @param finalLsn the fenced primary's final WAL position ("" for a failover)
 * @param promoted true once the candidate left recovery: from then on it is never undone
 * @param formerPrimaryFenced true while the old primary is known to be fenced
 * @param writeUnavailableMillis from the fence to the Service naming the new primary (null until
 *     both happened)
 * @param timeline every step, in order
 * @param notes policy notes (e.g. a requested limit that was looser than the server's)
 * @param nextManualStep what a human must do next ("" when nothing)
 * @param failure why the run failed, as humans were told it ("" unless the outcome is {@link
 *     FailoverOutcome#FAILED}; set as soon as it failed, while the escalation still waits)
 */
public record FailoverStatus(
    String cluster,
    FailoverMode mode,
    String primary,
    String candidate,
    String phase,
    FailoverOutcome outcome,
    Long lagBytes,
    Double lagSeconds,
    Long dataLossBytes,
    String finalLsn,
    boolean promoted,
    boolean formerPrimaryFenced,
    Long writeUnavailableMillis,
    List<TimelineEntry> timeline,
    List<String> notes,
    String nextManualStep,
    String failure) {
  public FailoverStatus {
    timeline = timeline == null ? List.of() : List.copyOf(timeline);
    notes = notes == null ? List.of() : List.copyOf(notes);
    nextManualStep = nextManualStep == null ? "" : nextManualStep;
    failure = failure == null ? "" : failure;
  }
}
