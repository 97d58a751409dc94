package dev.opsflow.activities.runbook;

import dev.opsflow.contracts.runbook.NotifyStep;

/**
 * A notify step's message, rendered.
 *
 * @param actionId made by the workflow, so that a retried delivery posts once
 * @param channel where it goes
 * @param target the channel's target as the step names it (null: the configured default)
 * @param message the text, every {@code {{ }}} evaluated
 * @param severity for PagerDuty: critical, error, warning or info (null: error)
 * @param runbookId the runbook, for the audit line and the page's source
 * @param workflowId the run, for the audit line and the page's dedup key
 */
public record RunbookNotice(
    String actionId,
    NotifyStep.Channel channel,
    String target,
    String message,
    String severity,
    String runbookId,
    String workflowId) {}
