package dev.opsflow.contracts.runbook;

/**
 * The definition a run interprets, fixed when the run starts: editing the file later never changes
 * a running execution, and the run shows which content it runs.
 *
 * @param source where it was read (a file name), for people
 * @param sha256 hex SHA-256 of {@code content}
 * @param content the YAML as it was read
 * @param definition {@code content}, validated and bound
 */
public record PinnedRunbook(
    String source, String sha256, String content, RunbookDefinition definition) {}
