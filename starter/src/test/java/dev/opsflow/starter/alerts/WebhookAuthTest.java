package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookAuthTest {
  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void bearerTokenMustMatchExactly() {
    WebhookAuth auth =
        new WebhookAuth(
            new OpsflowConfig.Alerts(Secret.of("s3cret"), "", Secret.empty(), List.of()));
    assertThat(auth.allows("Bearer s3cret")).isTrue();
    assertThat(auth.allows("bearer s3cret")).as("scheme is case-insensitive").isTrue();
    assertThat(auth.allows("Bearer S3CRET")).as("the token is not").isFalse();
    assertThat(auth.allows("Bearer s3cret2")).isFalse();
    assertThat(auth.allows("Bearer ")).isFalse();
    assertThat(auth.allows(null)).isFalse();
    assertThat(auth.allows(basic("s3cret", "s3cret"))).as("basic auth not configured").isFalse();
  }

  @Test
  void basicAuthNeedsUserAndPassword() {
    WebhookAuth auth =
        new WebhookAuth(new OpsflowConfig.Alerts(Secret.empty(), "am", Secret.of("pw"), List.of()));
    assertThat(auth.allows(basic("am", "pw"))).isTrue();
    assertThat(auth.allows(basic("am", "wrong"))).isFalse();
    assertThat(auth.allows(basic("other", "pw"))).isFalse();
    assertThat(auth.allows("Basic not-base64!!")).isFalse();
    assertThat(auth.allows("Bearer pw")).as("bearer not configured").isFalse();
  }
}
