package dev.opsflow.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The known name a misspelled one was most likely meant to be, for "did you mean" hints in
 * configuration errors ({@code KafkaLagRemediaton} -> {@code KafkaLagRemediation}). Pure and JDK
 * only.
 */
public final class Spelling {
  private Spelling() {}

  /**
   * The known name closest to {@code given} by edit distance (case ignored), if it is close enough
   * to be a typo: at most a third of the given name's length, and never more than 3 edits.
   */
  public static Optional<String> closest(String given, Collection<String> known) {
    if (given == null || given.isEmpty()) {
      return Optional.empty();
    }
    int allowed = Math.min(3, Math.max(1, given.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** " (did you mean X?)" when a known name is close to {@code given}, else "". */
  static String hint(String given, Collection<String> known) {
    return closest(given, known).map(c -> " (did you mean " + c + "?)").orElse("");
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
