package dev.opsflow.contracts.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryTemplateTest {

  @Test
  void substitutesEveryPlaceholderInsideLabelValues() {
    String rendered =
        QueryTemplate.render(
            "sum(rate(x{namespace=\"{{namespace}}\",deployment=\"{{ canary }}\",svc=\"{{service}}\"}[1m]))",
            Map.of("namespace", "shop", "canary", "web-v2", "service", "web"));

    assertThat(rendered)
        .isEqualTo("sum(rate(x{namespace=\"shop\",deployment=\"web-v2\",svc=\"web\"}[1m]))");
  }

  @Test
  void aNameCannotEndTheStringAndAddASelector() {
    String rendered =
        QueryTemplate.render(
            "x{deployment=\"{{canary}}\"}", Map.of("canary", "a\"} or vector(1) or x{y=\"\\"));

    // The quote and the backslash are escaped, so the whole value stays one label value.
    assertThat(rendered).isEqualTo("x{deployment=\"a\\\"} or vector(1) or x{y=\\\"\\\\\"}");
  }

  @Test
  void aNameInARegexMatcherMatchesOnlyItself() {
    String rendered = QueryTemplate.render("x{pod=~\"{{canary}}-.*\"}", Map.of("canary", "web.v2"));

    // '.' is a literal dot in the regex: backslash-escaped, and the backslash escaped for the
    // string.
    assertThat(rendered).isEqualTo("x{pod=~\"web\\\\.v2-.*\"}");
  }

  @Test
  void refusesUnknownPlaceholdersAndOnesOutsideDoubleQuotes() {
    assertThat(QueryTemplate.problems("x{deployment=\"{{canaryy}}\"}"))
        .singleElement()
        .asString()
        .contains("unknown placeholder {{canaryy}}");
    assertThat(QueryTemplate.problems("{{canary}}_requests_total"))
        .singleElement()
        .asString()
        .contains("outside a double-quoted label value");
    assertThat(QueryTemplate.problems("x{deployment=`{{canary}}`}"))
        .singleElement()
        .asString()
        .contains("outside a double-quoted");
    assertThat(QueryTemplate.problems("x{deployment=\"{{canary\"}")).isNotEmpty();
    assertThat(QueryTemplate.problems(" ")).containsExactly("is required: a PromQL query");
  }

  @Test
  void aQuoteInsideAStringDoesNotEndIt() {
    assertThat(QueryTemplate.problems("x{a=\"b\\\"c\",deployment=\"{{canary}}\"}")).isEmpty();
    assertThat(QueryTemplate.problems("x{a=\"b\\\"{{canary}}\"}")).isEmpty();
  }

  @Test
  void renderingWithoutAValueNamesThePlaceholder() {
    assertThatThrownBy(() -> QueryTemplate.render("x{d=\"{{stable}}\"}", Map.of("canary", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{{stable}}");
  }

  @Test
  void listsThePlaceholdersUsed() {
    assertThat(
            QueryTemplate.placeholders(
                "x{n=\"{{namespace}}\",d=\"{{canary}}\"} / y{d=\"{{canary}}\"}"))
        .containsExactly("namespace", "canary");
  }
}
