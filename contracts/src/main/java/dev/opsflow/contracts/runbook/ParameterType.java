package dev.opsflow.contracts.runbook;

/** The value a parameter of a catalog operation takes. */
public enum ParameterType {
  STRING("a string"),
  INTEGER("an integer"),
  NUMBER("a number"),
  BOOLEAN("true or false"),
  /** A string such as {@code 90s}, {@code 5m}, {@code 2h}. */
  DURATION("a duration such as 30s, 5m or 2h"),
  STRING_LIST("a list of strings"),
  STRING_MAP("a map of strings");

  private final String expected;

  ParameterType(String expected) {
    this.expected = expected;
  }

  /** How a message names the values this type takes: "an integer". */
  public String expected() {
    return expected;
  }
}
