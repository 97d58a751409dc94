package dev.opsflow.starter.api;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A start's {@code Idempotency-Key} header: the caller's name for one start request, which it sends
 * again on each retry. The start goes to Temporal under a request ID made from the caller and the
 * key, and a start without a {@code workflowId} gets one made from them too, so a retry of a start
 * whose answer was lost (a 503 after Temporal had already accepted it, a dropped connection) is
 * answered with the run the first attempt started, 202 as the first answer would have been: not a
 * second run, not a 409. Keys are per caller: two callers' equal keys are two requests.
 */
final class IdempotencyKey {
  static final String HEADER = "Idempotency-Key";

  /** Where {@link RestApi} keeps the request's key (or null) while it handles it. */
  static final String ATTRIBUTE = "opsflow.requestId";

  static final int MAX_LENGTH = 128;

  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9._:-]+");

  private final String requestId;

  private IdempotencyKey(String requestId) {
    this.requestId = requestId;
  }

  /**
   * The key of a request, or null when it carries none.
   *
   * @throws ApiError 400 naming the header when the key is empty, too long or has other characters
   *     than letters, digits, '.', '_', ':' and '-' (a UUID fits)
   */
  static IdempotencyKey of(String header, String caller) {
    if (header == null) {
      return null;
    }
    if (header.isEmpty() || header.length() > MAX_LENGTH || !SHAPE.matcher(header).matches()) {
      throw ApiError.badRequest(
          HEADER
              + ": 1 to "
              + MAX_LENGTH
              + " letters, digits, '.', '_', ':' or '-' (a UUID fits), the same on every retry"
              + " of one start");
    }
    String scoped = caller + "\n" + header;
    return new IdempotencyKey(
        UUID.nameUUIDFromBytes(scoped.getBytes(StandardCharsets.UTF_8)).toString());
  }

  /** The Temporal request ID of the start: the same for every retry with this key. */
  String requestId() {
    return requestId;
  }

  /** Eight hex digits of the request ID, for the workflow ID of a start that names none. */
  String idSuffix() {
    return requestId.substring(0, 8);
  }
}
