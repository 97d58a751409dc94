package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.OpsflowConfig.ApiCaller;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.human.Refusal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiAuthTest {
  private static final ApiCaller VIEWER = new ApiCaller("vera", "viewer", Secret.of("v-token"));
  private static final ApiCaller OPERATOR = new ApiCaller("olga", "operator", Secret.of("o-token"));
  private static final ApiCaller ADMIN = new ApiCaller("ada", "admin", Secret.of("a-token"));
  private final ApiAuth auth =
      new ApiAuth(new OpsflowConfig.Api(List.of(VIEWER, OPERATOR, ADMIN), ""));

  @Test
  void aBearerTokenNamesItsCaller() {
    assertThat(auth.authenticate("Bearer o-token")).isEqualTo(OPERATOR);
    assertThat(auth.authenticate("bearer   a-token ")).isEqualTo(ADMIN);
  }

  @Test
  void missingMalformedAndUnknownTokensAre401() {
    for (String header : new String[] {null, "", "Basic dmVyYTp4", "Bearer", "Bearer nope"}) {
      assertThatThrownBy(() -> auth.authenticate(header))
          .as(String.valueOf(header))
          .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(401));
    }
  }

  @Test
  void withNoCallersConfiguredTheApiIsOffAnd503NamesTheSetting() {
    ApiAuth off = new ApiAuth(new OpsflowConfig.Api(List.of(), ""));
    assertThatThrownBy(() -> off.authenticate("Bearer anything"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(503))
        .hasMessageContaining("OPSFLOW_API_TOKENS");
  }

  @Test
  void rolesAreOrderedViewerOperatorAdmin() {
    ApiAuth.authorize(ADMIN, ApiAuth.ADMIN, "audit");
    ApiAuth.authorize(ADMIN, ApiAuth.OPERATOR, "execute");
    ApiAuth.authorize(OPERATOR, ApiAuth.VIEWER, "read");
    assertThatThrownBy(() -> ApiAuth.authorize(OPERATOR, ApiAuth.ADMIN, "audit"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage("olga has role operator; audit needs role admin or higher");
    assertThatThrownBy(() -> ApiAuth.authorize(VIEWER, ApiAuth.OPERATOR, "cancel"))
        .isInstanceOf(ApiError.class);
  }

  @Test
  void runbookIdsAreTheKebabCaseOfTypeNamesAndRefusalsMapToStatuses() {
    assertThat(RestApi.kebab("CrashLoopRemediation")).isEqualTo("crash-loop-remediation");
    assertThat(RestApi.kebab("OomRemediation")).isEqualTo("oom-remediation");
    assertThat(RestApi.refusalStatus(Refusal.NOT_AN_APPROVER)).isEqualTo(403);
    assertThat(RestApi.refusalStatus(Refusal.FOUR_EYES)).isEqualTo(403);
    assertThat(RestApi.refusalStatus(Refusal.ALREADY_DECIDED)).isEqualTo(409);
    assertThat(RestApi.refusalStatus(Refusal.NOTHING_PENDING)).isEqualTo(409);
  }
}
