package dev.opsflow.workflows.kernel;

/**
 * What a check found, in Argo Rollouts' terms (Successful / Failed / Inconclusive): a reading that
 * could not be taken or parsed is {@link Verdict#UNKNOWN}, never healthy. UNKNOWN at confirmation
 * does not act; UNKNOWN at verification escalates.
 *
 * @param verdict healthy, unhealthy or unknown
 * @param reading what was read, in the operator's words (e.g. "lag 20000", "df: no output")
 */
public record Check(Verdict verdict, String reading) {
  /** The three outcomes of every check. */
  public enum Verdict {
    HEALTHY,
    UNHEALTHY,
    UNKNOWN
  }

  public static Check healthy(String reading) {
    return new Check(Verdict.HEALTHY, reading);
  }

  public static Check unhealthy(String reading) {
    return new Check(Verdict.UNHEALTHY, reading);
  }

  public static Check unknown(String reading) {
    return new Check(Verdict.UNKNOWN, reading);
  }

  /** Healthy when {@code bad} is false, unhealthy otherwise. */
  public static Check of(boolean bad, String reading) {
    return bad ? unhealthy(reading) : healthy(reading);
  }

  public boolean healthy() {
    return verdict == Verdict.HEALTHY;
  }

  public boolean unhealthy() {
    return verdict == Verdict.UNHEALTHY;
  }

  public boolean unknown() {
    return verdict == Verdict.UNKNOWN;
  }
}
