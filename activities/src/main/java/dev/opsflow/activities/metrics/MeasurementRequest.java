package dev.opsflow.activities.metrics;

import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.MetricCheck;

/**
 * One measurement of one metric: the check and the objects its placeholders stand for.
 *
 * @param check the metric, as the analysis template has it
 * @param subject the rollout's namespace, Service, canary and stable Deployments
 */
public record MeasurementRequest(MetricCheck check, AnalysisSubject subject) {}
