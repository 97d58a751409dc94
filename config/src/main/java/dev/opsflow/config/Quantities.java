package dev.opsflow.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes memory quantities ({@code 512Mi}, {@code 2Gi}, {@code 1G}, {@code 1500000000}) as
 * bytes and back. Pure functions: workflows use them to compute new limits deterministically.
 */
public final class Quantities {
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?");
  private static final long MI = 1024L * 1024;
  private static final long GI = 1024L * MI;

  private Quantities() {}

  /**
   * @throws IllegalArgumentException when {@code text} is not a memory quantity
   */
  public static long parseBytes(String text) {
    Matcher m = QUANTITY.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a memory quantity (use e.g. 512Mi, 2Gi, 1G or bytes)");
    }
    BigDecimal n = new BigDecimal(m.group(1));
    long unit =
        m.group(2) == null
            ? 1
            : switch (m.group(2)) {
              case "Ki" -> 1024L;
              case "Mi" -> MI;
              case "Gi" -> GI;
              case "Ti" -> 1024L * GI;
              case "Pi" -> 1024L * 1024 * GI;
              case "k", "K" -> 1000L;
              case "M" -> 1000L * 1000;
              case "G" -> 1000L * 1000 * 1000;
              case "T" -> 1000L * 1000 * 1000 * 1000;
              default -> 1000L * 1000 * 1000 * 1000 * 1000;
            };
    return n.multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  /** Whole Gi when exact, else Mi rounded up (a limit is never rounded below what was computed). */
  public static String format(long bytes) {
    if (bytes % GI == 0) {
      return bytes / GI + "Gi";
    }
    return (bytes + MI - 1) / MI + "Mi";
  }
}
