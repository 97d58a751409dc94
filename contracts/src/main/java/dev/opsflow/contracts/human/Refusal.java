package dev.opsflow.contracts.human;

import io.temporal.failure.ApplicationFailure;
import java.util.List;

/**
 * Why a human's answer (approve, reject, retry, skip, fail, acknowledge) does not count, with a
 * type the REST API, Slack and the CLI map to 403/409 without reading sentences.
 *
 * <p>Update validators throw {@link #failure()}. On SDK 1.38 a validator's failure reaches the
 * caller with its type replaced by {@code WorkflowExecutionException} (proven by {@code
 * UpdateRefusalTypeTest}), so the type also leads the message ({@code "NotAnApprover: ..."}) and
 * {@link #typeOf} reads it from either place.
 *
 * @param type one of the constants below
 * @param message the sentence for the human
 */
public record Refusal(String type, String message) {
  /** The decider is not in the approvers list. */
  public static final String NOT_AN_APPROVER = "NotAnApprover";

  /** The requester may not decide on their own request. */
  public static final String FOUR_EYES = "FourEyes";

  /** The answer names nobody: who decides is required. */
  public static final String WHO_REQUIRED = "WhoRequired";

  /** Nothing waits for this kind of answer now. */
  public static final String NOTHING_PENDING = "NothingPending";

  /** The question was already answered. */
  public static final String ALREADY_DECIDED = "AlreadyDecided";

  /** The answer is not one of the question's choices (e.g. skip where a step cannot be skipped). */
  public static final String NOT_A_CHOICE = "NotAChoice";

  /** Types that are about who answers (HTTP 403); every other type is about the run's state. */
  public static final List<String> ABOUT_WHO = List.of(NOT_AN_APPROVER, FOUR_EYES);

  private static final List<String> ALL =
      List.of(
          NOT_AN_APPROVER, FOUR_EYES, WHO_REQUIRED, NOTHING_PENDING, ALREADY_DECIDED, NOT_A_CHOICE);

  /** The failure an Update validator throws: non-retryable, typed, the type leading the text. */
  public ApplicationFailure failure() {
    return ApplicationFailure.newNonRetryableFailure(type + ": " + message, type);
  }

  /** The refusal type of what an Update's caller caught, or empty when it is not a refusal. */
  public static String typeOf(Throwable caught) {
    for (Throwable t = caught; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) {
        if (ALL.contains(af.getType())) {
          return af.getType();
        }
        String text = af.getOriginalMessage() == null ? "" : af.getOriginalMessage();
        for (String type : ALL) {
          if (text.startsWith(type + ": ")) {
            return type;
          }
        }
      }
    }
    return "";
  }

  /** The human sentence of what an Update's caller caught, without the type prefix. */
  public static String messageOf(Throwable caught) {
    for (Throwable t = caught; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af && af.getOriginalMessage() != null) {
        String text = af.getOriginalMessage();
        for (String type : ALL) {
          if (text.startsWith(type + ": ")) {
            return text.substring(type.length() + 2);
          }
        }
        return text;
      }
    }
    return caught == null ? "" : String.valueOf(caught.getMessage());
  }
}
