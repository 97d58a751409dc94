package dev.opsflow.workflows.diagnostics;

import dev.opsflow.activities.diagnostics.ProbeResult;
import java.util.List;

/** One line per probed system, and whether all of them answered. */
public record ConnectivityReport(List<ProbeResult> results, boolean allReachable) {}
