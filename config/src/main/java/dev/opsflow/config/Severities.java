package dev.opsflow.config;

import java.util.List;

/** Problem severities, most urgent first. */
public final class Severities {
  public static final List<String> ALL = List.of("critical", "high", "medium", "low");

  private Severities() {}

  /** 0 for critical ... 3 for low; an unknown severity sorts last. */
  public static int rank(String severity) {
    int i = ALL.indexOf(severity);
    return i < 0 ? ALL.size() : i;
  }
}
