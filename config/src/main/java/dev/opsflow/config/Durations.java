package dev.opsflow.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration forms operators type: {@code 90} (seconds), {@code 5m}, {@code 2h}, {@code
 * PT5M}.
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
   */
  public static Duration parse(String text) {
    String t = text.trim();
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (use 90, 90s, 5m, 2h, 1d or ISO-8601 like PT5M)", e);
    }
  }

  /** The short form used in messages and the sample config: 5m, 60s, 2h. */
  public static String format(Duration d) {
    long s = d.toSeconds();
    if (d.toMillisPart() != 0 || s == 0) return d.toMillis() + "ms";
    if (s % 86400 == 0) return s / 86400 + "d";
    if (s % 3600 == 0) return s / 3600 + "h";
    if (s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }
}
