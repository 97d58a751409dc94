package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/** The two outcome transitions most steps have, without the absent ones. */
final class Transitions {
  private Transitions() {}

  static Map<String, String> of(String field1, String target1, String field2, String target2) {
    Map<String, String> next = new LinkedHashMap<>();
    if (target1 != null) {
      next.put(field1, target1);
    }
    if (field2 != null && target2 != null) {
      next.put(field2, target2);
    }
    return next;
  }
}
