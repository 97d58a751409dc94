package dev.opsflow.workflows.planted;

/** A record a workflow returns: the HTTP and CLI layers may depend on it. */
public record LagReport(String consumerGroup, long lag) {}
