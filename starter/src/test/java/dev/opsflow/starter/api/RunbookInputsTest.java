package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.activities.runbook.RunbookLoader;
import dev.opsflow.activities.runbook.RunbookValidation;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import org.junit.jupiter.api.Test;

/** What a runbook reads from its input, found in its expressions and templates only. */
class RunbookInputsTest {
  private static RunbookDefinition runbook(String steps) {
    RunbookValidation read =
        RunbookLoader.read(
            "inputs-test.yaml",
            """
            id: inputs-test
            name: Inputs
            version: "1"
            variables:
              namespace: demo
            startWith: first
            steps:
            """
                + steps);
    assertThat(read.problems()).as("the test runbook is valid").isEmpty();
    return read.runbook().definition();
  }

  @Test
  void anInputReadInATemplateOrAnExpressionWithoutADefaultOrAGuardIsRequired() {
    RunbookInputs inputs =
        RunbookInputs.of(
            runbook(
                """
                  - id: first
                    description: "prose about input.ignored is no expression"
                    type: decision
                    branches:
                      - name: cached
                        when: has(input.cacheHost) && input["tier"] == "gold"
                        next: tell
                    otherwise: tell
                  - id: tell
                    type: notify
                    channel: audit-log
                    message: "restart {{ input.service }} in {{ input.namespace }} via {{ input.cacheHost }}"
                """));
    assertThat(inputs.read())
        .as("in name order, whatever order the steps read them in")
        .containsExactly("cacheHost", "namespace", "service", "tier");
    assertThat(inputs.required())
        .as("cacheHost is guarded by has(), namespace is a declared variable; in name order")
        .containsExactly("service", "tier");
  }

  @Test
  void theWordOutsideAnExpressionIsNoRead() {
    RunbookDefinition definition =
        runbook(
            """
              - id: first
                type: notify
                channel: audit-log
                message: "no input here, only the word input.service"
            """);
    assertThat(RunbookInputs.of(definition).read()).isEmpty();
  }
}
