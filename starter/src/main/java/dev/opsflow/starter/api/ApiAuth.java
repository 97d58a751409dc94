package dev.opsflow.starter.api;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.OpsflowConfig.ApiCaller;

/**
 * Who calls the REST API and whether their role allows the call. Callers present {@code
 * Authorization: Bearer <token>}; the token names one configured caller (OPSFLOW_API_TOKENS) with
 * role viewer (read), operator (execute, approve, reject, cancel) or admin (everything, including
 * the audit trail).
 */
public final class ApiAuth {
  public static final String VIEWER = "viewer";
  public static final String OPERATOR = "operator";
  public static final String ADMIN = "admin";

  private final OpsflowConfig.Api api;

  public ApiAuth(OpsflowConfig.Api api) {
    this.api = api;
  }

  /**
   * The caller behind an {@code Authorization} header.
   *
   * @throws ApiError 503 when no caller is configured, 401 without a known bearer token
   */
  public ApiCaller authenticate(String authorization) {
    if (!api.configured()) {
      throw new ApiError(
          503,
          "the REST API is off: no callers are configured; set OPSFLOW_API_TOKENS"
              + " (name:role:token,...) or api.tokensFile");
    }
    if (authorization == null || authorization.isBlank()) {
      throw new ApiError(401, "missing 'Authorization: Bearer <token>' header");
    }
    String[] parts = authorization.trim().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
      throw new ApiError(401, "the Authorization header must be 'Bearer <token>'");
    }
    return api.caller(parts[1].trim())
        .orElseThrow(() -> new ApiError(401, "unknown or revoked token"));
  }

  /**
   * @throws ApiError 403 when the caller's role does not include {@code needed}
   */
  public static void authorize(ApiCaller caller, String needed, String what) {
    if (!caller.mayAct(needed)) {
      throw new ApiError(
          403,
          caller.name()
              + " has role "
              + caller.role()
              + "; "
              + what
              + " needs role "
              + needed
              + " or higher");
    }
  }
}
