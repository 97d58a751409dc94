package dev.opsflow.contracts.remediation;

import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.run.CarriedRun;
import java.util.List;

/**
 * What a remediation run hands to the run that continues it as new, on top of the kernel's {@link
 * CarriedRun}: the policy as this problem's first run tightened it (the next run does not read the
 * server's again), the episode bookkeeping, and the remediation rules' state (resolved, when it
 * acted, whether the problem recurred).
 *
 * @param episodes distinct episodes seen by the whole chain (what the status reports)
 * @param recentEpisodes the latest episode ids, oldest first, so resends of them stay duplicates
 * @param actedAtMillis when the action began (0 = not yet): the cooldown runs from here
 * @param ending for {@link CarriedRun#COOLDOWN}: how the run ends after the cooldown, {@code FIXED}
 *     or {@code ESCALATED}, with {@code endingWhy} (the summary or the reason)
 */
public record RemediationCarry(
    CarriedRun run,
    HealingPolicy policy,
    HumanPolicy human,
    List<String> policyNotes,
    boolean serverPolicy,
    int episodes,
    List<String> recentEpisodes,
    boolean resolved,
    long actedAtMillis,
    boolean recurred,
    String ending,
    String endingWhy) {
  public RemediationCarry {
    policyNotes = policyNotes == null ? List.of() : List.copyOf(policyNotes);
    recentEpisodes = recentEpisodes == null ? List.of() : List.copyOf(recentEpisodes);
    ending = ending == null ? "" : ending;
    endingWhy = endingWhy == null ? "" : endingWhy;
  }
}
