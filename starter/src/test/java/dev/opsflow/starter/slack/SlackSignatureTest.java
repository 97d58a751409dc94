package dev.opsflow.starter.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SlackSignatureTest {
  // The worked example in Slack's "Verifying requests from Slack".
  private static final Secret SLACK_DOC_SECRET = Secret.of("8f742231b10e8888abcd99yyyzzz85a5");
  private static final String SLACK_DOC_TIMESTAMP = "1531420618";
  private static final byte[] SLACK_DOC_BODY =
      ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
              + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
              + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
              + "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
              + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
          .getBytes(StandardCharsets.UTF_8);
  private static final String SLACK_DOC_SIGNATURE =
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

  private final AtomicLong now = new AtomicLong(1531420618_000L + 30_000);
  private final SlackSignature verifier = new SlackSignature(SLACK_DOC_SECRET, now::get, 100);

  @Test
  void acceptsSlacksDocumentedExample() {
    assertThat(verifier.sign(SLACK_DOC_TIMESTAMP, SLACK_DOC_BODY)).isEqualTo(SLACK_DOC_SIGNATURE);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY)).isNull();
  }

  @Test
  void refusesAWrongSignature() {
    String wrong = "v0=" + "0".repeat(64);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, wrong, SLACK_DOC_BODY))
        .contains("does not match");
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, "v1=abc", SLACK_DOC_BODY))
        .contains("does not match");
    assertThat(verifier.remembered()).isZero();
  }

  @Test
  void refusesASignatureMadeWithAnotherSecret() {
    SlackSignature other = new SlackSignature(Secret.of("not-the-app-secret"), now::get, 100);
    String forged = other.sign(SLACK_DOC_TIMESTAMP, SLACK_DOC_BODY);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, forged, SLACK_DOC_BODY))
        .contains("does not match");
  }

  @Test
  void refusesATamperedBody() {
    byte[] tampered =
        new String(SLACK_DOC_BODY, StandardCharsets.UTF_8)
            .replace("roadrunner", "wile_e")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, tampered))
        .contains("does not match");
  }

  @Test
  void refusesATimestampMoreThanFiveMinutesAwayEitherWay() {
    now.set(1531420618_000L + 301_000);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .startsWith("stale request");
    now.set(1531420618_000L - 301_000);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .startsWith("stale request");
    now.set(1531420618_000L + 299_000);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY)).isNull();
  }

  @Test
  void refusesAReplayedRequestWithinTheWindow() {
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY)).isNull();
    now.addAndGet(60_000);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .startsWith("replayed request");
    // Once outside the window the same request is refused as stale, and forgotten.
    now.addAndGet(300_000);
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .startsWith("stale request");
  }

  @Test
  void forgetsSignaturesOlderThanTheWindowAndKeepsAtMostItsCapacity() {
    SlackSignature small = new SlackSignature(SLACK_DOC_SECRET, now::get, 3);
    long start = now.get() / 1000;
    for (int i = 0; i < 5; i++) {
      String ts = Long.toString(start + i);
      byte[] body = ("payload=" + i).getBytes(StandardCharsets.UTF_8);
      assertThat(small.refusal(ts, small.sign(ts, body), body)).isNull();
    }
    assertThat(small.remembered()).isEqualTo(3);

    now.addAndGet((SlackSignature.WINDOW_SECONDS + 10) * 1000);
    String ts = Long.toString(now.get() / 1000);
    byte[] body = "payload=late".getBytes(StandardCharsets.UTF_8);
    assertThat(small.refusal(ts, small.sign(ts, body), body)).isNull();
    assertThat(small.remembered()).isEqualTo(1);
  }

  @Test
  void refusesMissingOrMalformedHeaders() {
    assertThat(verifier.refusal(null, SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .contains("X-Slack-Request-Timestamp");
    assertThat(verifier.refusal(SLACK_DOC_TIMESTAMP, " ", SLACK_DOC_BODY))
        .contains("X-Slack-Signature");
    assertThat(verifier.refusal("yesterday", SLACK_DOC_SIGNATURE, SLACK_DOC_BODY))
        .contains("not a number");
  }

  @Test
  void needsASecretAndNeverPrintsIt() {
    assertThatThrownBy(() -> new SlackSignature(Secret.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(verifier.toString()).doesNotContain("8f742231");
  }
}
