package dev.opsflow.workflows.remediation;

import dev.opsflow.config.Quantities;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The safety policy belongs to the server: a run's input may tighten a limit of the worker's
 * configured policy, never loosen it. Each limit the input names is compared with the server's; a
 * tighter one is applied, a looser one is refused, and both are noted in the run. Settings that are
 * not limits (settle time, lease and admission timeouts, the human policy) are always the server's.
 * A limit the input leaves at 0 or empty (a partial JSON policy) is the server's.
 */
public final class PolicyTightening {
  private PolicyTightening() {}

  /** The policy a run follows, and what it noted about the input's limits. */
  public record Result(HealingPolicy policy, List<String> notes) {}

  /**
   * @param server the worker's configured policy
   * @param requested the limits in the run's input, or null when it named none
   */
  public static Result apply(HealingPolicy server, HealingPolicy requested) {
    if (requested == null || requested.equals(server)) {
      return new Result(server, List.of());
    }
    List<String> notes = new ArrayList<>();
    Rules r = new Rules(notes);
    HealingPolicy effective =
        new HealingPolicy(
            r.atLeast(
                "kafkaLagThreshold", server.kafkaLagThreshold(), requested.kafkaLagThreshold()),
            r.atLeast(
                "kafkaLagPerReplica", server.kafkaLagPerReplica(), requested.kafkaLagPerReplica()),
            (int)
                r.atLeast(
                    "postgresConnThreshold",
                    server.postgresConnThreshold(),
                    requested.postgresConnThreshold()),
            (int)
                r.atLeast(
                    "diskSpaceThreshold",
                    server.diskSpaceThreshold(),
                    requested.diskSpaceThreshold()),
            (int) r.atMost("minReplicas", server.minReplicas(), requested.minReplicas()),
            (int) r.atMost("maxReplicas", server.maxReplicas(), requested.maxReplicas()),
            server.checkIntervalSeconds(),
            r.atLeast(
                "actionCooldownSeconds",
                server.actionCooldownSeconds(),
                requested.actionCooldownSeconds()),
            server.settleSeconds(),
            r.atLeast(
                "confirmHighSeconds", server.confirmHighSeconds(), requested.confirmHighSeconds()),
            r.atLeast(
                "confirmMediumSeconds",
                server.confirmMediumSeconds(),
                requested.confirmMediumSeconds()),
            r.atLeast(
                "confirmLowSeconds", server.confirmLowSeconds(), requested.confirmLowSeconds()),
            r.atLeast(
                "idleSessionAgeSeconds",
                server.idleSessionAgeSeconds(),
                requested.idleSessionAgeSeconds()),
            r.atLeast("logMaxAgeDays", server.logMaxAgeDays(), requested.logMaxAgeDays()),
            r.subset("logPaths", server.logPaths(), requested.logPaths()),
            r.factorAtMost(
                "memoryRaiseFactor", server.memoryRaiseFactor(), requested.memoryRaiseFactor()),
            server.memoryRaiseMinStep(),
            r.quantityAtMost("memoryCeiling", server.memoryCeiling(), requested.memoryCeiling()),
            (int) r.atMost("maxInFlight", server.maxInFlight(), requested.maxInFlight()),
            (int)
                r.atMost(
                    "maxInFlightPerNamespace",
                    server.maxInFlightPerNamespace(),
                    requested.maxInFlightPerNamespace()),
            server.admissionTimeoutSeconds(),
            server.humanDefault(),
            server.humans());
    if (!requested.humans().isEmpty()
        || !requested.humanDefault().equals(HumanPolicy.DEFAULT)
            && !requested.humanDefault().equals(server.humanDefault())) {
      notes.add(
          "human policy in the input ignored: approvals and escalation are the server's"
              + " (procedures: in opsflow.yaml)");
    }
    return new Result(effective, List.copyOf(notes));
  }

  /**
   * The policy a run follows when its input names {@code limits} (and, from older or raw starts, a
   * whole {@code policy}): the server's, tightened by each, never loosened. Both may be null.
   */
  public static Result apply(
      HealingPolicy server, HealingPolicy wholePolicy, RemediationLimits limits) {
    Result first = apply(server, wholePolicy);
    if (limits == null) {
      return first;
    }
    Result second = apply(first.policy(), partial(limits));
    List<String> notes = new ArrayList<>(first.notes());
    notes.addAll(second.notes());
    return new Result(second.policy(), List.copyOf(notes));
  }

  /**
   * The human policy a run follows: the server's for its procedure. The input may add an approval
   * where the server requires none for the target's namespace (tighter); anything else it asks for
   * is ignored and noted, because approvals and escalation are the server's.
   */
  public static HumanResult human(HumanPolicy server, HumanPolicy requested, String namespace) {
    if (requested == null || requested.equals(server)) {
      return new HumanResult(server, List.of());
    }
    if (requested.approval() != null && server.approvalFor(namespace) == null) {
      HumanPolicy tightened =
          new HumanPolicy(
              requested.approval(),
              List.of(),
              server.escalation(),
              server.askOnFailure(),
              server.decisionTimeoutSeconds());
      return new HumanResult(
          tightened,
          List.of(
              "approval by "
                  + requested.approval().approvers()
                  + " applied (the input asks for one; the server requires none here)"));
    }
    return new HumanResult(
        server,
        List.of(
            "human policy in the input ignored: approvals and escalation are the server's"
                + " (procedures: in opsflow.yaml); an input may only add an approval"));
  }

  /** The human policy a run follows, and what was noted about the input's. */
  public record HumanResult(HumanPolicy policy, List<String> notes) {}

  /** The limits as a policy with 0 or empty where the input names none (the server's holds). */
  private static HealingPolicy partial(RemediationLimits l) {
    return new HealingPolicy(
        orZero(l.kafkaLagThreshold()),
        orZero(l.kafkaLagPerReplica()),
        (int) orZero(l.postgresConnThreshold()),
        (int) orZero(l.diskSpaceThreshold()),
        (int) orZero(l.minReplicas()),
        (int) orZero(l.maxReplicas()),
        0,
        orZero(l.actionCooldownSeconds()),
        0,
        orZero(l.confirmHighSeconds()),
        orZero(l.confirmMediumSeconds()),
        orZero(l.confirmLowSeconds()),
        orZero(l.idleSessionAgeSeconds()),
        orZero(l.logMaxAgeDays()),
        l.logPaths(),
        l.memoryRaiseFactor() == null ? 0 : l.memoryRaiseFactor(),
        null,
        l.memoryCeiling(),
        0,
        0,
        0,
        null,
        null);
  }

  private static long orZero(Number n) {
    return n == null ? 0 : n.longValue();
  }

  /** Compares one limit at a time and notes what it did. */
  private record Rules(List<String> notes) {
    /** Higher is tighter (a threshold, a wait, a minimum age). */
    long atLeast(String name, long server, long requested) {
      return pick(name, server, requested, requested >= server);
    }

    /** Lower is tighter (a ceiling, a count). */
    long atMost(String name, long server, long requested) {
      return pick(name, server, requested, requested <= server);
    }

    private long pick(String name, long server, long requested, boolean tighter) {
      // 0 is what a partial JSON policy leaves in a field it does not name: the server's holds.
      if (requested == server || requested == 0) {
        return server;
      }
      if (tighter) {
        notes.add(name + " " + requested + " applied (tighter than the server's " + server + ")");
        return requested;
      }
      notes.add(name + " " + requested + " refused: it would loosen the server's limit " + server);
      return server;
    }

    double factorAtMost(String name, double server, double requested) {
      if (requested == server || requested == 0) {
        return server;
      }
      if (requested < server && requested > 1.0) {
        notes.add(name + " " + requested + " applied (tighter than the server's " + server + ")");
        return requested;
      }
      notes.add(name + " " + requested + " refused: it would loosen the server's limit " + server);
      return server;
    }

    String quantityAtMost(String name, String server, String requested) {
      if (requested == null || requested.isBlank() || requested.equals(server)) {
        return server;
      }
      long want;
      try {
        want = Quantities.parseBytes(requested);
      } catch (IllegalArgumentException e) {
        notes.add(name + " '" + requested + "' refused: not a memory quantity");
        return server;
      }
      if (want <= Quantities.parseBytes(server)) {
        notes.add(name + " " + requested + " applied (tighter than the server's " + server + ")");
        return requested;
      }
      notes.add(name + " " + requested + " refused: it would loosen the server's limit " + server);
      return server;
    }

    List<String> subset(String name, List<String> server, List<String> requested) {
      if (requested.isEmpty() || requested.equals(server)) {
        return server;
      }
      if (server.containsAll(requested)) {
        notes.add(name + " " + requested + " applied (a subset of the server's " + server + ")");
        return requested;
      }
      notes.add(
          name
              + " "
              + requested
              + " refused: only the server's paths "
              + server
              + " may be cleaned");
      return server;
    }
  }
}
