package dev.opsflow.activities.runbook;

/**
 * One reason a runbook is refused, pointing where to fix it.
 *
 * @param file the file as the caller named it
 * @param line 1-based line of the offending value (or of the mapping that lacks it)
 * @param step the step's id, {@code steps[N]} for a step without a usable id, or {@code runbook}
 *     for the runbook's own fields
 * @param field the field within the step (or the runbook), e.g. {@code onSuccess}, {@code
 *     parameters.replicas}, {@code branches[0].when}
 */
public record RunbookProblem(String file, int line, String step, String field, String message) {
  /** What a problem outside any step names as its step. */
  public static final String RUNBOOK = "runbook";

  /** {@code FILE:LINE: step: field: message}, the form the CLI prints and editors can jump to. */
  @Override
  public String toString() {
    return file + ":" + line + ": " + step + ": " + field + ": " + message;
  }
}
