package dev.opsflow.starter.alerts;

import dev.opsflow.config.OpsflowConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Checks the credentials Alertmanager's {@code http_config} sends: {@code authorization} (a bearer
 * token) or {@code basic_auth}. Comparisons take constant time; credentials are never logged.
 */
public final class WebhookAuth {
  private final OpsflowConfig.Alerts settings;

  public WebhookAuth(OpsflowConfig.Alerts settings) {
    this.settings = settings;
  }

  /** True when the Authorization header carries a configured credential. */
  public boolean allows(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return false;
    }
    // The scheme name is case-insensitive (RFC 9110); credentials are not.
    if (settings.bearerToken().isPresent()
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return same(
          authorization.substring("Bearer ".length()).trim(), settings.bearerToken().reveal());
    }
    if (!settings.basicUser().isEmpty() && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring("Basic ".length()).trim()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int colon = decoded.indexOf(':');
      return colon > 0
          && same(decoded.substring(0, colon), settings.basicUser())
              & same(decoded.substring(colon + 1), settings.basicPassword().reveal());
    }
    return false;
  }

  private static boolean same(String given, String expected) {
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }
}
