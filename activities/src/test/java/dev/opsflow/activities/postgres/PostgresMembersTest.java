package dev.opsflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.config.Secret;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresMembersTest {
  private static final String PASSWORD = "s3cret-member-password";
  private final PostgresConnector pgA =
      new PostgresConnector(
          "jdbc:postgresql://10.0.0.1:5432/postgres",
          "postgres",
          Secret.of(PASSWORD),
          Duration.ofSeconds(1),
          Duration.ofSeconds(1));
  private final PostgresMembers members = new PostgresMembers(Map.of("pg-a", pgA));
  private final FailoverActivitiesImpl activities = new FailoverActivitiesImpl(members, d -> {});

  @Test
  void resolvesAConfiguredMemberToItsConnectionSettings() {
    assertThat(members.connector("primary", "pg-a")).isSameAs(pgA);
    assertThat(members.names()).containsExactly("pg-a");
  }

  @Test
  void refusesAnUnknownMemberAsNotConfiguredNamingTheFieldAndTheKnownMembers() {
    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities.probe("pg-z"));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_CONFIGURED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("member")
        .contains("'pg-z'")
        .contains("configured: pg-a")
        .doesNotContain(PASSWORD)
        .doesNotContain("10.0.0.1");
  }

  @Test
  void refusesAMemberNameThatCannotBeOneBeforeAnyConnection() {
    for (String bad : List.of("", "PG-A", "pg_a", "-pg", "pg\nA", "x".repeat(64))) {
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () -> activities.promote(new PromoteRequest("a-1", bad, null)));
      assertThat(failure.getType()).as(bad).isEqualTo(FailureTypes.INVALID_NAME);
      assertThat(failure.getOriginalMessage()).startsWith("candidate ");
    }
    assertThatThrownBy(() -> new PostgresMembers(Map.of("Bad Name", pgA)))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("postgres member");
  }

  @Test
  void refusesMalformedReplayRequestsNamingTheField() {
    ApplicationFailure lsn =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> activities.waitForReplay(new ReplayRequest("a-1", "pg-a", "0/3'; --", 5)));
    assertThat(lsn.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(lsn.getOriginalMessage()).startsWith("lsn ");

    ApplicationFailure timeout =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> activities.waitForReplay(new ReplayRequest("a-1", "pg-a", "0/3000148", 0)));
    assertThat(timeout.getOriginalMessage()).startsWith("timeoutSeconds ");

    ApplicationFailure actionId =
        catchThrowableOfType(
            ApplicationFailure.class, () -> activities.fence(new FenceRequest(" ", "pg-a", true)));
    assertThat(actionId.getOriginalMessage()).contains("actionId");
  }

  @Test
  void refusesAReplicationStateOfAMemberAgainstItself() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> activities.replicationState("pg-a", "pg-a"));
    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
  }
}
