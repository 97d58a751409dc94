package dev.opsflow.starter.slack;

import dev.opsflow.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a request came from Slack, as Slack's "Verifying requests from Slack" describes:
 * {@code X-Slack-Signature} must be {@code v0=} followed by the hex HMAC-SHA256, keyed with the
 * app's signing secret, of {@code v0:<X-Slack-Request-Timestamp>:<raw body>}. A timestamp more than
 * five minutes from now is refused, and so is a signature already accepted within that window (a
 * captured request replayed). The comparison takes constant time; the secret is never logged.
 */
public final class SlackSignature {
  /** How far a request's timestamp may be from now, and how long a signature is remembered. */
  public static final long WINDOW_SECONDS = 5 * 60;

  private static final String VERSION = "v0";
  private final SecretKeySpec key;
  private final LongSupplier clockMillis;
  private final int capacity;
  // Accepted signature -> its request timestamp (seconds), oldest first.
  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

  /**
   * @param signingSecret the Slack app's signing secret (Basic Information, App Credentials)
   * @param clockMillis now, in epoch milliseconds ({@code System::currentTimeMillis} in service)
   * @param capacity signatures remembered at most; beyond it the oldest are forgotten first
   */
  public SlackSignature(Secret signingSecret, LongSupplier clockMillis, int capacity) {
    if (!signingSecret.isPresent()) {
      throw new IllegalArgumentException("the Slack signing secret is empty");
    }
    this.key =
        new SecretKeySpec(signingSecret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.clockMillis = clockMillis;
    this.capacity = capacity;
  }

  public SlackSignature(Secret signingSecret) {
    this(signingSecret, System::currentTimeMillis, 10_000);
  }

  /**
   * Why the request must be refused, or null when it is Slack's and seen for the first time (it is
   * then remembered, so the same request a second time is refused as a replay).
   *
   * @param timestamp the {@code X-Slack-Request-Timestamp} header (epoch seconds)
   * @param signature the {@code X-Slack-Signature} header
   * @param rawBody the body exactly as received, before any form decoding
   */
  public String refusal(String timestamp, String signature, byte[] rawBody) {
    if (timestamp == null || timestamp.isBlank()) {
      return "missing X-Slack-Request-Timestamp header";
    }
    if (signature == null || signature.isBlank()) {
      return "missing X-Slack-Signature header";
    }
    long at;
    try {
      at = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return "X-Slack-Request-Timestamp is not a number of seconds";
    }
    long now = clockMillis.getAsLong() / 1000;
    if (Math.abs(now - at) > WINDOW_SECONDS) {
      return "stale request: X-Slack-Request-Timestamp is more than "
          + WINDOW_SECONDS
          + " s from this server's clock";
    }
    if (!MessageDigest.isEqual(
        expected(timestamp.trim(), rawBody), signature.trim().getBytes(StandardCharsets.UTF_8))) {
      return "X-Slack-Signature does not match (wrong signing secret, or the body was altered)";
    }
    synchronized (seen) {
      forgetOlderThan(now - WINDOW_SECONDS);
      if (seen.containsKey(signature.trim())) {
        return "replayed request: this signature was already accepted";
      }
      seen.put(signature.trim(), at);
      Iterator<String> eldest = seen.keySet().iterator();
      while (seen.size() > capacity) {
        eldest.next();
        eldest.remove();
      }
    }
    return null;
  }

  /** The signature Slack would send for this timestamp and body: {@code v0=<hex>}. */
  public String sign(String timestamp, byte[] rawBody) {
    return new String(expected(timestamp, rawBody), StandardCharsets.UTF_8);
  }

  private byte[] expected(String timestamp, byte[] rawBody) {
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every Java runtime ships HmacSHA256, and any non-empty byte key is valid for it.
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
    byte[] digest = mac.doFinal(rawBody);
    return (VERSION + "=" + HexFormat.of().formatHex(digest)).getBytes(StandardCharsets.UTF_8);
  }

  private void forgetOlderThan(long oldestSeconds) {
    // Insertion order is roughly timestamp order; scan all since Slack's clock may jitter.
    seen.values().removeIf(at -> at < oldestSeconds);
  }

  /** Signatures currently remembered (for tests). */
  int remembered() {
    synchronized (seen) {
      return seen.size();
    }
  }

  @Override
  public String toString() {
    return "SlackSignature[secret=****]";
  }
}
