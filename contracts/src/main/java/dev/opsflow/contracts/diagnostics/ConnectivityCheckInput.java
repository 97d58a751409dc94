package dev.opsflow.contracts.diagnostics;

import java.util.List;

/** Which systems to probe; empty or missing means all configured systems. */
public record ConnectivityCheckInput(List<String> systems) {
  public ConnectivityCheckInput {
    systems = systems == null ? List.of() : List.copyOf(systems);
  }
}
