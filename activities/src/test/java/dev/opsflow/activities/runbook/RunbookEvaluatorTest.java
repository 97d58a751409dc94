package dev.opsflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A runbook's expressions over a run's context: values in and out as JSON, pure. */
class RunbookEvaluatorTest {
  private static final Map<String, Object> VARS =
      Map.of(
          "input",
          Map.of("service", "orders", "replicas", 3, "ratio", 0.2, "tags", List.of("a", "b")),
          "steps",
          Map.of("lag", Map.of("result", Map.of("total", 1500L))),
          "errorThreshold",
          0.05,
          "lagThreshold",
          1000);

  @Test
  void integersFromJsonAreWidenedAndAnswersComeBackAsJson() {
    assertThat(RunbookEvaluator.value("input.replicas + 2", VARS)).isEqualTo(5L);
    assertThat(RunbookEvaluator.value("input.ratio * 2.0", VARS)).isEqualTo(0.4);
    assertThat(RunbookEvaluator.value("input.tags", VARS)).isEqualTo(List.of("a", "b"));
    assertThat(RunbookEvaluator.value("{'n': input.replicas}", VARS)).isEqualTo(Map.of("n", 3L));
    assertThat(RunbookEvaluator.value("null", VARS)).isNull();
  }

  @Test
  void aConditionMustYieldABoolean() {
    assertThat(RunbookEvaluator.holds("input.ratio > errorThreshold", VARS)).isTrue();
    assertThat(RunbookEvaluator.holds("steps.lag.result.total > lagThreshold", VARS)).isTrue();
    assertThat(RunbookEvaluator.holds("input.service == 'billing'", VARS)).isFalse();
    assertThatThrownBy(() -> RunbookEvaluator.holds(" input.replicas ", VARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'input.replicas' yields 3, not true or false");
  }

  @Test
  void aLoopsItemsMustBeAList() {
    assertThat(RunbookEvaluator.items("input.tags.map(t, t + '!')", VARS))
        .containsExactly("a!", "b!");
    assertThatThrownBy(() -> RunbookEvaluator.items("input.service", VARS))
        .hasMessage("'input.service' yields orders, not a list");
  }

  @Test
  void anExpressionThatDoesNotCompileOrFailsIsRefusedNamingIt() {
    assertThatThrownBy(() -> RunbookEvaluator.value("input.replicas +", VARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'input.replicas +' does not compile: ");
    assertThatThrownBy(() -> RunbookEvaluator.value("nosuch.x", VARS))
        .hasMessageStartingWith("'nosuch.x' does not compile: ");
    assertThatThrownBy(() -> RunbookEvaluator.value("input.missing > 1", VARS))
        .hasMessageStartingWith("'input.missing > 1' cannot be evaluated: ");
  }

  @Test
  void templatesShowWholeNumbersWithoutAFraction() {
    assertThat(
            RunbookEvaluator.text(
                "{{ input.service }}: {{ double(input.replicas) }} of {{ 7 }}", VARS))
        .isEqualTo("orders: 3 of 7");
    assertThat(RunbookEvaluator.text("ratio {{ input.ratio }}, none {{ null }}", VARS))
        .isEqualTo("ratio 0.2, none null");
    assertThat(RunbookEvaluator.text(null, VARS)).isEmpty();
    assertThat(RunbookEvaluator.text("no template", VARS)).isEqualTo("no template");
  }

  @Test
  void aWholeTemplateParameterTakesItsValuesTypeAndPartsMakeText() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("replicas", "{{ input.replicas + 2 }}");
    parameters.put("deployment", "{{ input.service }}-v2");
    parameters.put("labels", Map.of("app", "{{ input.service }}"));
    parameters.put("list", List.of("{{ input.replicas }}", "x"));
    parameters.put("literal", 7);
    assertThat(RunbookEvaluator.parameters("kubernetes.scale", parameters, VARS))
        .containsExactlyEntriesOf(
            ordered(
                "replicas",
                5L,
                "deployment",
                "orders-v2",
                "labels",
                Map.of("app", "orders"),
                "list",
                List.of(3L, "x"),
                "literal",
                7));
  }

  @Test
  void postgresQuerySqlIsBoundNeverSpliced() {
    Map<String, Object> evil = Map.of("input", Map.of("name", "x'; DROP TABLE users; --", "n", 2));
    Map<String, Object> bound =
        RunbookEvaluator.parameters(
            "postgres.query",
            Map.of("sql", "SELECT * FROM t WHERE name = {{ input.name }} LIMIT {{ input.n }}"),
            evil);
    assertThat(bound.get(RunbookEvaluator.SQL)).isEqualTo("SELECT * FROM t WHERE name = ? LIMIT ?");
    assertThat(bound.get(RunbookEvaluator.BINDS))
        .isEqualTo(List.of("x'; DROP TABLE users; --", 2L));
    // Any other operation's sql-named parameter is a template like the rest.
    assertThat(
            RunbookEvaluator.parameters("http.call", Map.of("sql", "{{ input.n }}"), evil)
                .get("sql"))
        .isEqualTo(2L);
  }

  @Test
  void theSameExpressionOnTheSameValuesGivesTheSameAnswer() {
    Object first = RunbookEvaluator.value("input.tags.map(t, t + input.service)", VARS);
    for (int i = 0; i < 5; i++) {
      assertThat(RunbookEvaluator.value("input.tags.map(t, t + input.service)", VARS))
          .isEqualTo(first);
    }
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
