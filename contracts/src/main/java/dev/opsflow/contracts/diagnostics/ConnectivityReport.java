package dev.opsflow.contracts.diagnostics;

import java.util.List;

/** One line per probed system, and whether all of them answered. */
public record ConnectivityReport(List<ProbeResult> results, boolean allReachable) {}
