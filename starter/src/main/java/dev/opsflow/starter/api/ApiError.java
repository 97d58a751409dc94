package dev.opsflow.starter.api;

/** A REST API refusal: the HTTP status and the reason the caller reads. */
public final class ApiError extends RuntimeException {
  private final int status;

  public ApiError(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  static ApiError badRequest(String reason) {
    return new ApiError(400, reason);
  }

  static ApiError notFound(String reason) {
    return new ApiError(404, reason);
  }

  static ApiError conflict(String reason) {
    return new ApiError(409, reason);
  }
}
