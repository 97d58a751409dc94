package dev.opsflow.planted.operator;

import dev.opsflow.planted.approval.PlantedGate;

/** ...and operator imports approval, as the real packages did before they became one. */
public record PlantedDecision(String by, boolean approves) {
  public boolean passes(PlantedGate gate) {
    return gate.approve(this);
  }
}
