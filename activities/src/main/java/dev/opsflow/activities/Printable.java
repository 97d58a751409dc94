package dev.opsflow.activities;

/**
 * Values from outside (alert labels, request fields, cluster annotations) made safe to put in a
 * message, a log line or a Slack text: control and invisible formatting characters are escaped, so
 * a CR/LF or an ANSI escape cannot forge a line, and long values are cut. JDK only.
 */
public final class Printable {
  /** How much of a value a message shows; the rest is summarised by its length. */
  public static final int SHOWN_CHARS = 80;

  private Printable() {}

  /**
   * {@code value} in single quotes, escaped and cut to {@value #SHOWN_CHARS} characters ({@code
   * null} when there is none).
   */
  public static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    int cut =
        value.offsetByCodePoints(0, Math.min(SHOWN_CHARS, value.codePointCount(0, value.length())));
    String shown = "'" + escaped(value.substring(0, cut)) + "'";
    return cut < value.length() ? shown + "... (" + value.length() + " chars)" : shown;
  }

  /** {@code value} with quotes, backslashes and every non-printing character escaped. */
  public static String escaped(String value) {
    StringBuilder out = new StringBuilder(value.length());
    value
        .codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                default -> {
                  if (printable(c)) {
                    out.appendCodePoint(c);
                  } else {
                    out.append(String.format("\\u%04X", c));
                  }
                }
              }
            });
    return out.toString();
  }

  /**
   * Control characters, line and paragraph separators, and format characters (bidi overrides,
   * zero-width joiners) change how text reads without being seen; everything else prints as is.
   */
  private static boolean printable(int c) {
    int type = Character.getType(c);
    return !Character.isISOControl(c)
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.FORMAT
        && type != Character.UNASSIGNED
        && type != Character.PRIVATE_USE
        && type != Character.SURROGATE;
  }
}
