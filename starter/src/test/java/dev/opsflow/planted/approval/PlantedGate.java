package dev.opsflow.planted.approval;

import dev.opsflow.planted.operator.PlantedDecision;

/** Planted package cycle for {@code ArchitectureTest}: approval imports operator... */
public class PlantedGate {
  public boolean approve(PlantedDecision decision) {
    return decision.approves();
  }
}
