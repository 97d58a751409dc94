package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.workflows.WorkflowCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The door for remediations people start: what becomes a request, and what is refused. */
class OperatorStartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00.123Z");

  private static RemediationRequest start(String type, String input) throws Exception {
    return OperatorStart.request(type, JSON.readTree(input), "alice", "the REST API", NOW);
  }

  private static List<String> refused(String type, String input) throws Exception {
    JsonNode tree = input == null ? null : JSON.readTree(input);
    OperatorStart.Refused refused =
        catchThrowableOfType(
            () -> OperatorStart.request(type, tree, "alice", "the REST API", NOW),
            OperatorStart.Refused.class);
    assertThat(refused).as("refused: " + input).isNotNull();
    return refused.problems();
  }

  @Test
  void anOperatorStartBecomesTheRequestAnAlertForTheSameProblemWouldBe() throws Exception {
    RemediationRequest request =
        start(
            "CrashLoopRemediation",
            "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                + "\"severity\":\"critical\"}");
    assertThat(request.procedure()).isEqualTo("CrashLoopRemediation");
    assertThat(request.target()).isEqualTo(new WorkloadTarget("demo", "payments", "", ""));
    assertThat(request.severity()).isEqualTo("critical");
    assertThat(request.policy()).as("the server's policy applies").isNull();
    assertThat(request.requestedBy()).isEqualTo("alice");
    AlertNotice notice = request.alert();
    assertThat(notice.source()).isEqualTo("operator");
    assertThat(notice.status()).isEqualTo(AlertNotice.FIRING);
    assertThat(notice.fingerprint()).isEqualTo("operator:alice");
    assertThat(notice.startsAt()).isEqualTo("2026-11-23T10:00:00Z");
    assertThat(notice.alertName()).isEqualTo("CrashLoopRemediation");
    assertThat(notice.annotations()).containsEntry("summary", "started by alice via the REST API");
    RemediationRequest fromAnAlert =
        new RemediationRequest(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", "payments", null, null),
            "critical",
            notice,
            RemediationRequest.AUTOMATON);
    assertThat(request.workflowId()).isEqualTo(fromAnAlert.workflowId());
  }

  @Test
  void aPolicyInTheInputIsRefusedNamingTheField() throws Exception {
    assertThat(
            refused(
                "KafkaLagRemediation",
                "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"orders-consumer\","
                    + "\"consumerGroup\":\"orders-consumer\"},\"severity\":\"high\","
                    + "\"policy\":{\"maxReplicas\":1000}}"))
        .containsExactly(
            "policy: the safety policy is the server's (opsflow.yaml healing.* / procedures:);"
                + " it cannot be set per run");
  }

  @Test
  void aCarriedStateInTheInputIsRefused() throws Exception {
    assertThat(
            refused(
                "CrashLoopRemediation",
                "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                    + "\"severity\":\"critical\",\"carried\":{\"run\":{\"admitted\":true}}}"))
        .containsExactly(
            "carried: the state a run hands on when it continues as new; a start may not bring"
                + " one");
  }

  @Test
  void theCallerCannotChooseTheNoticeOrAnotherRequester() throws Exception {
    List<String> problems =
        refused(
            "CrashLoopRemediation",
            "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                + "\"severity\":\"critical\",\"requestedBy\":\"opsflow\","
                + "\"alert\":{\"alertName\":\"x\",\"status\":\"firing\",\"source\":\"alertmanager\"}}");
    assertThat(problems)
        .containsExactly(
            OperatorStart.ALERT_REFUSED,
            "requestedBy: opsflow records the caller (alice) as the requester; leave it out");
    // Naming oneself is what would be recorded anyway.
    assertThat(
            start(
                    "CrashLoopRemediation",
                    "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                        + "\"severity\":\"critical\",\"requestedBy\":\"alice\"}")
                .requestedBy())
        .isEqualTo("alice");
  }

  @Test
  void anEmptyInputNamesEveryMissingField() throws Exception {
    assertThat(refused("CrashLoopRemediation", "{}"))
        .containsExactly(
            "severity: expected one of [critical, high, medium, low], got 'null'",
            "target.namespace: required for CrashLoopRemediation",
            "target.deployment: required for CrashLoopRemediation");
    assertThat(refused("CrashLoopRemediation", null))
        .containsExactly(
            "severity: expected one of [critical, high, medium, low], got 'null'",
            "target.namespace: required for CrashLoopRemediation",
            "target.deployment: required for CrashLoopRemediation");
    assertThat(refused("KafkaLagRemediation", "{\"target\":{},\"severity\":\"high\"}"))
        .containsExactly(
            "target.namespace: required for KafkaLagRemediation",
            "target.deployment: required for KafkaLagRemediation",
            "target.consumerGroup: required for KafkaLagRemediation");
    assertThat(refused("CrashLoopRemediation", "[]"))
        .containsExactly("input: must be a JSON object (procedure, target, severity)");
  }

  @Test
  void anUnknownSeverityOrAnotherProcedureIsRefused() throws Exception {
    assertThat(
            refused(
                "CrashLoopRemediation",
                "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                    + "\"severity\":\"urgent\"}"))
        .containsExactly("severity: expected one of [critical, high, medium, low], got 'urgent'");
    assertThat(
            refused(
                "CrashLoopRemediation",
                "{\"procedure\":\"OomRemediation\",\"target\":{\"namespace\":\"demo\","
                    + "\"deployment\":\"payments\"},\"severity\":\"high\"}"))
        .containsExactly(
            "procedure: 'OomRemediation' does not match the workflow type CrashLoopRemediation");
  }

  @Test
  void aTraversalOrIllegalNameIsRefusedAsWhatItNames() throws Exception {
    List<String> problems =
        refused(
            "CrashLoopRemediation",
            "{\"target\":{\"namespace\":\"demo\","
                + "\"deployment\":\"../../prod/deployments/orders-consumer\"},"
                + "\"severity\":\"critical\"}");
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("target.deployment: '../../prod/deployments/orders-consumer' is not valid:")
        .contains("DNS-1123 subdomain");

    List<String> all =
        refused(
            "KafkaLagRemediation",
            "{\"target\":{\"namespace\":\"Demo\",\"deployment\":\"orders\",\"container\":\"a_b\","
                + "\"consumerGroup\":\"g\\r\\nforged\",\"topic\":\"..\","
                + "\"podSelector\":\"app=(web\"},\"severity\":\"high\"}");
    assertThat(all)
        .extracting(p -> p.substring(0, p.indexOf(':')))
        .containsExactly(
            "target.namespace",
            "target.consumerGroup",
            "target.topic",
            // A Kafka lag target has no container nor selector: refused, never dropped.
            "target.container",
            "target.podSelector");
    assertThat(String.join("\n", all)).doesNotContain("\r\nforged");

    assertThat(
            refused(
                "PostgresConnectionRemediation",
                "{\"target\":{\"database\":\"app\\u001b[31m\"},\"severity\":\"high\"}"))
        .singleElement()
        .asString()
        .startsWith("target.database: ");
  }

  @Test
  void aMisspeltOrMistypedFieldIsNamed() throws Exception {
    assertThat(
            refused(
                "CrashLoopRemediation",
                "{\"target\":{\"namspace\":\"demo\",\"deployment\":\"payments\"},"
                    + "\"severity\":\"critical\"}"))
        .containsExactly(
            "target.namespace: required for CrashLoopRemediation",
            "target.namspace: not a field of CrashLoopRemediation's target (it has namespace,"
                + " deployment, container, podSelector)");
    assertThat(
            refused(
                "CrashLoopRemediation",
                "{\"target\":{\"namespace\":\"demo\",\"deployment\":\"payments\"},"
                    + "\"severity\":\"critical\",\"limit\":{}}"))
        .singleElement()
        .asString()
        .startsWith("limit: unknown field; expected one of ")
        .contains("limits")
        .contains("run")
        .doesNotContain("policy");
    assertThat(refused("CrashLoopRemediation", "{\"target\":\"demo/payments\"}"))
        .singleElement()
        .asString()
        .startsWith("target: ");
  }

  @Test
  void limitsAndTheEnvelopesHumanPolicyPassTheDoorItsNoticeAndRequesterDoNot() throws Exception {
    RemediationRequest request =
        OperatorStart.request(
            "KafkaLagRemediation",
            JSON.readTree(
                """
                {"target":{"namespace":"demo","deployment":"orders-consumer",
                           "consumerGroup":"orders-consumer"},
                 "run":{"severity":"high","human":{"approval":{"approvers":["alice"],
                        "required":1,"timeoutSeconds":3600,"onTimeout":"reject"}}},
                 "limits":{"maxReplicas":3}}
                """),
            "bob",
            "the REST API",
            NOW);
    assertThat(request.limits().maxReplicas()).isEqualTo(3);
    assertThat(request.severity()).isEqualTo("high");
    assertThat(request.requestedBy()).isEqualTo("bob");
    assertThat(request.alert().source()).isEqualTo(OperatorStart.SOURCE);
    assertThat(request.run().human().approval().approvers()).containsExactly("alice");

    assertThat(
            refused(
                "CrashLoopRemediation",
                """
                {"target":{"namespace":"demo","deployment":"payments"},"severity":"high",
                 "run":{"severity":"low","requestedBy":"mallory",
                        "alert":{"alertName":"x","status":"firing"}}}
                """))
        .extracting(p -> p.substring(0, p.indexOf(':')))
        .containsExactly("run.alert", "run.requestedBy", "severity");
    assertThat(
            refused(
                "CrashLoopRemediation",
                """
                {"target":{"namespace":"demo","deployment":"payments"},
                 "run":{"severity":"high","human":{"approval":{"approvers":["alice"],"required":2}}}}
                """))
        .singleElement()
        .asString()
        .startsWith("run.human.approval: ")
        .contains("required must be between 1 and the number of approvers (1), got 2");
  }

  static List<String> remediations() {
    return WorkflowCatalog.remediationTypeNames();
  }

  @ParameterizedTest
  @MethodSource("remediations")
  void everyExampleInputPassesTheDoor(String type) throws Exception {
    Path example = Path.of("..", "examples", "inputs", type + ".json");
    RemediationRequest request = start(type, Files.readString(example));
    assertThat(request.procedure()).isEqualTo(type);
    assertThat(request.alert().source()).isEqualTo("operator");
  }
}
