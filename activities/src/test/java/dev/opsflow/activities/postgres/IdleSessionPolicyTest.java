package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.postgres.IdleSessionPolicy.Session;
import org.junit.jupiter.api.Test;

class IdleSessionPolicyTest {
  private final IdleSessionPolicy policy = new IdleSessionPolicy(600, null, false);

  private static Session client(String state, Double age, boolean superuser) {
    return new Session(100, "client backend", "orders", superuser, state, age, false);
  }

  @Test
  void endsOnlyOrdinaryClientSessionsIdleLongerThanTheBound() {
    assertThat(policy.reasonToSpare(client("idle", 601.0, false))).isEmpty();
    assertThat(policy.reasonToSpare(client("idle", 600.0, false)))
        .contains(IdleSessionPolicy.IDLE_TOO_BRIEFLY);
    assertThat(policy.reasonToSpare(client("idle", 5.0, false)))
        .contains(IdleSessionPolicy.IDLE_TOO_BRIEFLY);
  }

  @Test
  void neverEndsBusySessionsOrOpenTransactions() {
    assertThat(policy.reasonToSpare(client("active", 9999.0, false)))
        .contains(IdleSessionPolicy.NOT_IDLE);
    assertThat(policy.reasonToSpare(client("idle in transaction", 9999.0, false)))
        .contains(IdleSessionPolicy.NOT_IDLE);
    assertThat(policy.reasonToSpare(client("idle in transaction (aborted)", 9999.0, false)))
        .contains(IdleSessionPolicy.NOT_IDLE);
  }

  @Test
  void neverEndsItsOwnSessionOrBackgroundProcesses() {
    Session own = new Session(1, "client backend", "orders", false, "idle", 9999.0, true);
    assertThat(policy.reasonToSpare(own)).contains(IdleSessionPolicy.OWN_SESSION);
    for (String type :
        new String[] {"walsender", "autovacuum worker", "background worker", "checkpointer"}) {
      Session background = new Session(2, type, null, false, "idle", 9999.0, false);
      assertThat(policy.reasonToSpare(background))
          .as(type)
          .contains(IdleSessionPolicy.NOT_CLIENT_BACKEND);
    }
  }

  @Test
  void sparesSuperusersUnlessAskedAndSessionsItCannotSee() {
    assertThat(policy.reasonToSpare(client("idle", 9999.0, true)))
        .contains(IdleSessionPolicy.SUPERUSER_SESSION);
    assertThat(new IdleSessionPolicy(600, null, true).reasonToSpare(client("idle", 9999.0, true)))
        .isEmpty();
    assertThat(policy.reasonToSpare(client(null, null, false)))
        .contains(IdleSessionPolicy.STATE_NOT_VISIBLE);
  }

  @Test
  void keepsToTheRequestedDatabase() {
    IdleSessionPolicy billingOnly = new IdleSessionPolicy(600, "billing", false);
    assertThat(billingOnly.reasonToSpare(client("idle", 9999.0, false)))
        .contains(IdleSessionPolicy.OTHER_DATABASE);
    assertThat(
            new IdleSessionPolicy(600, "orders", false)
                .reasonToSpare(client("idle", 9999.0, false)))
        .isEmpty();
    assertThat(new IdleSessionPolicy(600, " ", false).reasonToSpare(client("idle", 9999.0, false)))
        .isEmpty();
  }
}
