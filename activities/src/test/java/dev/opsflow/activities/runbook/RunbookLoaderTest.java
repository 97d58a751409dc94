package dev.opsflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.runbook.ActionStep;
import dev.opsflow.contracts.runbook.CheckStep;
import dev.opsflow.contracts.runbook.DecisionStep;
import dev.opsflow.contracts.runbook.LoopStep;
import dev.opsflow.contracts.runbook.NotifyStep;
import dev.opsflow.contracts.runbook.ParallelStep;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookStep;
import dev.opsflow.contracts.runbook.WaitStep;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RunbookLoaderTest {
  /** The runbooks the repository ships (tests run in the module's folder). */
  static final Path SHIPPED = Path.of("..", "runbooks");

  static final Path INVALID = Path.of("src", "test", "resources", "runbooks", "invalid");

  static Stream<Path> shippedRunbooks() throws Exception {
    return Files.list(SHIPPED)
        .filter(p -> p.toString().endsWith(".yaml"))
        .sorted()
        .toList()
        .stream();
  }

  @ParameterizedTest
  @MethodSource("shippedRunbooks")
  void everyShippedRunbookIsValidAndPinnedWithItsContentAndHash(Path file) throws Exception {
    RunbookValidation validation = RunbookLoader.read(file);

    assertThat(validation.problems()).isEmpty();
    PinnedRunbook pinned = validation.runbook();
    String content = Files.readString(file);
    assertThat(pinned.content()).isEqualTo(content);
    assertThat(pinned.sha256()).hasSize(64).isEqualTo(RunbookLoader.sha256(content));
    assertThat(pinned.definition().id() + ".yaml").isEqualTo(file.getFileName().toString());
  }

  @Test
  void shippedRunbooksCoverEveryStepKind() throws Exception {
    List<String> kinds =
        shippedRunbooks()
            .flatMap(f -> RunbookLoader.read(f).runbook().definition().steps().stream())
            .map(s -> s.getClass().getSimpleName())
            .distinct()
            .toList();

    assertThat(kinds)
        .hasSameElementsAs(
            Stream.of(RunbookStep.class.getPermittedSubclasses())
                .map(Class::getSimpleName)
                .toList());
  }

  @Test
  void highErrorRateReadsAsCheckThenDecisionThenActionThenNotify() {
    RunbookDefinition runbook =
        RunbookLoader.read(SHIPPED.resolve("high-error-rate.yaml")).runbook().definition();

    assertThat(runbook.startWith()).isEqualTo("error-ratio");
    assertThat(runbook.manualMinutes()).isEqualTo(20);
    assertThat(runbook.variables()).containsEntry("errorThreshold", 0.05);
    CheckStep check = (CheckStep) runbook.step("error-ratio");
    assertThat(check.probe()).isEqualTo("prometheus.query");
    assertThat(check.condition()).isEqualTo("result > errorThreshold");
    assertThat(check.retry().attempts()).isEqualTo(3);
    assertThat(check.transitions()).containsExactly(Map.entry("onSuccess", "traffic"));
    DecisionStep decision = (DecisionStep) runbook.step("overload-or-bad-pods");
    assertThat(decision.transitions())
        .containsExactly(
            Map.entry("branches[0].next", "scale-out"), Map.entry("otherwise", "restart"));
    ActionStep scale = (ActionStep) runbook.step("scale-out");
    assertThat(scale.action()).isEqualTo("kubernetes.scale");
    assertThat(scale.parameters())
        .containsEntry("deployment", "{{ input.service }}")
        .containsEntry("replicas", "{{ int(input.replicas) + 2 }}");
    assertThat(((NotifyStep) runbook.step("page")).channel())
        .isEqualTo(NotifyStep.Channel.PAGERDUTY);
  }

  @Test
  void parallelAndLoopStepsBindTheirBranchesBodyAndPolicies() {
    ParallelStep parallel =
        (ParallelStep)
            RunbookLoader.read(SHIPPED.resolve("dependency-health.yaml"))
                .runbook()
                .definition()
                .step("probe-all");
    assertThat(parallel.branches()).containsExactly("database", "cache", "upstream");
    assertThat(parallel.join()).isEqualTo(ParallelStep.Join.ALL);
    assertThat(parallel.failurePolicy()).isEqualTo(ParallelStep.FailurePolicy.WAIT_ALL);

    RunbookDefinition lag =
        RunbookLoader.read(SHIPPED.resolve("kafka-lag-recovery.yaml")).runbook().definition();
    LoopStep loop = (LoopStep) lag.step("until-caught-up");
    assertThat(loop.whileCondition()).startsWith("!has(steps.lag)");
    assertThat(loop.body()).isEqualTo("pause");
    assertThat(loop.maxIterations()).isEqualTo(30);
    assertThat(((WaitStep) lag.step("pause")).duration()).isEqualTo("1m");
  }

  @Test
  void aPinnedRunbookTravelsThroughTemporalsPayloadConverterUnchanged() {
    PinnedRunbook pinned = RunbookLoader.read(SHIPPED.resolve("idle-sessions.yaml")).runbook();
    var converter = DefaultDataConverter.newDefaultInstance();

    PinnedRunbook back =
        converter.fromPayload(
            converter.toPayload(pinned).orElseThrow(), PinnedRunbook.class, PinnedRunbook.class);

    assertThat(back).isEqualTo(pinned);
    assertThat(back.definition().step("each-database")).isInstanceOf(LoopStep.class);
  }

  /** One file per rule; each must give exactly this one problem, with file, line, step, field. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = "=>",
      textBlock =
          """
          unknown-step.yaml => 11: probe: onFailure: no step 'restrat' in this runbook
          unknown-start.yaml => 4: runbook: startWith: no step 'begin' in this runbook
          unreachable.yaml => 10: forgotten: id: unreachable: no transition from startWith 'probe' leads to this step
          spin.yaml => 10: probe: onFailure: the steps probe -> restart -> probe loop without a wait step: add one, or use a loop step with over
          while-without-wait.yaml => 8: poll: while: a while loop can spin: its body (from 'lag') has no wait step
          unknown-action.yaml => 8: fix: action: unknown action 'kubernetes.delete'; known: kubernetes.scale, kubernetes.rolloutRestart, kubernetes.raiseMemory, postgres.terminateIdleSessions, postgres.cancelSlowQueries, kafka.readLag, http.call, featureFlag.setWeight, command.run
          unknown-parameter.yaml => 13: fix: parameters.force: kubernetes.scale has no parameter 'force'; it has: namespace, deployment, replicas, capAtCeiling, onlyUp
          missing-parameter.yaml => 10: fix: parameters: kubernetes.scale needs parameter 'replicas' (an integer)
          wrong-parameter-type.yaml => 12: fix: parameters.replicas: is 'three', kubernetes.scale wants an integer
          unknown-name.yaml => 12: choose: branches[0].when: 'input.size > treshold' does not compile: undeclared reference to 'treshold'
          unknown-step-result.yaml => 9: tell: message: 'steps.lag.result.total' reads steps.lag, and there is no step 'lag'
          condition-not-bool.yaml => 10: probe: condition: ''yes'' does not compile: expected type 'bool' but found 'string'
          duplicate-id.yaml => 10: tell: id: another step has this id (line 6)
          approval-too-many.yaml => 9: ask: required: 2 approvals cannot come from 1 approver(s)
          schema-bad-duration.yaml => 8: pause: duration: does not match the regex pattern ^[0-9]+(ms|s|m|h|d)$
          schema-unknown-field.yaml => 9: pause: onFailure: is not a field here
          schema-missing-field.yaml => 6: tell: message: is required
          schema-unknown-type.yaml => 7: tell: type: does not have a value in the enumeration ["check", "action", "decision", "notify", "wait", "approval", "parallel", "loop"]
          loop-over-and-while.yaml => 9: each: while: a loop needs exactly one of 'over' or 'while'
          duplicate-key.yaml => 5: runbook: -: not valid YAML: Duplicate Object property "startWith"
          not-yaml.yaml => 3: runbook: -: not valid YAML: while parsing a flow sequence: expected ',' or ']', but got :
          """)
  void aRunbookBreakingOneRuleIsRefusedWithOneProblemNamingFileLineStepAndField(
      String file, String expected) {
    Path path = INVALID.resolve(file);

    RunbookValidation validation = RunbookLoader.read(path);

    assertThat(validation.valid()).isFalse();
    assertThat(validation.runbook()).isNull();
    assertThat(validation.problems())
        .extracting(Object::toString)
        .containsExactly(path + ":" + expected);
  }

  @Test
  void bothBadExpressionsOfARunbookAreReportedNotOnlyTheFirst() {
    String yaml =
        """
        id: two-bad
        name: two bad
        version: "1"
        startWith: choose
        steps:
          - id: choose
            type: decision
            branches:
              - { name: a, when: "nope > 1", next: tell }
              - { name: b, when: "input.x ==", next: tell }
          - id: tell
            type: notify
            channel: slack
            message: "{{ alsoNope }}"
        """;

    RunbookValidation validation = RunbookLoader.read("two-bad.yaml", yaml);

    assertThat(validation.problems())
        .extracting(p -> p.line() + " " + p.step() + " " + p.field())
        .containsExactly(
            "9 choose branches[0].when", "10 choose branches[1].when", "14 tell message");
  }

  @Test
  void aMissingFileIsAProblemNamingIt() {
    RunbookValidation validation = RunbookLoader.read(Path.of("no-such-runbook.yaml"));

    assertThat(validation.problems())
        .extracting(Object::toString)
        .containsExactly("no-such-runbook.yaml:1: runbook: -: no such file");
  }

  @Test
  void aDeclaredVariableMayNotHideANameEveryExpressionHas() {
    String yaml =
        """
        id: shadow
        name: shadow
        version: "1"
        variables:
          steps: 3
        startWith: tell
        steps:
          - { id: tell, type: notify, channel: slack, message: hi }
        """;

    assertThat(RunbookLoader.read("shadow.yaml", yaml).problems())
        .extracting(Object::toString)
        .containsExactly(
            "shadow.yaml:5: runbook: variables.steps: 'steps' is a name every expression has: choose another");
  }

  @Test
  void aLoopBodyReadsTheItemButTheStepsAfterTheLoopDoNot() {
    String yaml =
        """
        id: items
        name: items
        version: "1"
        startWith: each
        steps:
          - { id: each, type: loop, over: "input.dbs", as: db, body: in-body, onSuccess: after }
          - { id: in-body, type: notify, channel: slack, message: "{{ db }}" }
          - { id: after, type: notify, channel: slack, message: "{{ db }}" }
        """;

    assertThat(RunbookLoader.read("items.yaml", yaml).problems())
        .extracting(Object::toString)
        .containsExactly(
            "items.yaml:8: after: message: 'db' does not compile: undeclared reference to 'db'");
  }

  static String runbook(String steps) {
    return "id: t\nname: t\nversion: \"1\"\nvariables:\n  limit: 3\nstartWith: first\nsteps:\n"
        + steps;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = "=>",
      textBlock =
          """
          a parallel branch names no step => \
            - { id: first, type: parallel, branches: [a, nope] } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: branches[1]: no step 'nope' in this runbook
          two decision branches share a name => \
            - { id: first, type: decision, branches: [{ name: x, when: "true", next: a }, { name: x, when: "false", next: a }] } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: branches[1].name: another branch is named 'x'
          text around a template for an integer => \
            - { id: first, type: action, action: kubernetes.scale, parameters: { namespace: n, deployment: d, replicas: "n{{ limit }}" } } \
            => t.yaml:8: first: parameters.replicas: kubernetes.scale wants an integer: give a value or one {{ expression }}, not text around it
          a loop item hiding a declared variable => \
            - { id: first, type: loop, over: "[1, 2]", as: limit, body: a } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: as: 'limit' is already a name expressions read: choose another
          result outside a check => \
            - { id: first, type: decision, branches: [{ name: x, when: "result > 1", next: a }] } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: branches[0].when: 'result > 1' does not compile: undeclared reference to 'result'
          over yielding no list => \
            - { id: first, type: loop, over: "limit + 1", body: a } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: over: 'limit + 1' does not compile: expected type 'list(dyn)' but found 'int'
          a step handing over to itself => \
            - { id: first, type: check, probe: http.probe, parameters: { url: "http://x" }, onFailure: first } \
            => t.yaml:8: first: onFailure: the steps first -> first loop without a wait step: add one, or use a loop step with over
          a loop with neither over nor while => \
            - { id: first, type: loop, body: a } \\n \
            - { id: a, type: wait, duration: 1s } \
            => t.yaml:8: first: over: a loop needs exactly one of 'over' or 'while'
          """)
  void aRuleBrokenInlineIsNamedWithItsStepAndField(String rule, String steps, String expected) {
    // one step per line, each "\n"-separated part of the CSV value a list item under steps:
    String yaml =
        runbook(
            java.util.Arrays.stream(steps.split("\\\\n"))
                .map(l -> "  " + l.strip() + "\n")
                .collect(java.util.stream.Collectors.joining()));

    assertThat(RunbookLoader.read("t.yaml", yaml).problems())
        .as(rule)
        .extracting(Object::toString)
        .containsExactly(expected);
  }

  @Test
  void aCycleThroughAWaitStepIsAPollNotASpin() {
    String yaml =
        runbook(
            """
              - { id: first, type: check, probe: http.probe, parameters: { url: "http://x" }, onFailure: pause }
              - { id: pause, type: wait, duration: 30s, onSuccess: first }
            """);

    assertThat(RunbookLoader.read("t.yaml", yaml).problems()).isEmpty();
  }
}
