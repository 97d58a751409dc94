package dev.opsflow.contracts.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunbookCatalogTest {
  @Test
  void everyOperationNameIsUniqueAndEveryParameterNameUniqueWithinIt() {
    List<String> names = RunbookCatalog.operations().stream().map(RunbookOperation::name).toList();
    assertThat(names).doesNotHaveDuplicates();
    for (RunbookOperation operation : RunbookCatalog.operations()) {
      assertThat(operation.parameters().stream().map(OperationParameter::name))
          .as(operation.name())
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void probesOnlyReadSoDryRunMayAskThem() {
    assertThat(RunbookCatalog.operations())
        .filteredOn(o -> o.kind() == RunbookOperation.Kind.PROBE)
        .isNotEmpty()
        .noneMatch(RunbookOperation::mutates);
  }

  @Test
  void theIssuesActionsAreRegisteredAndOnlyTheLagReadDoesNotMutate() {
    assertThat(RunbookCatalog.names(RunbookOperation.Kind.ACTION))
        .containsExactly(
            "kubernetes.scale",
            "kubernetes.rolloutRestart",
            "kubernetes.raiseMemory",
            "postgres.terminateIdleSessions",
            "postgres.cancelSlowQueries",
            "kafka.readLag",
            "http.call",
            "featureFlag.setWeight",
            "command.run");
    assertThat(RunbookCatalog.operations())
        .filteredOn(o -> o.kind() == RunbookOperation.Kind.ACTION && !o.mutates())
        .extracting(RunbookOperation::name)
        .containsExactly("kafka.readLag");
  }

  @Test
  void onlyCommandOperationsNeedCommandsEnabled() {
    assertThat(RunbookCatalog.operations())
        .filteredOn(RunbookOperation::needsCommands)
        .extracting(RunbookOperation::name)
        .containsExactly("command.probe", "command.run");
  }

  @Test
  void findTellsProbesFromActions() {
    assertThat(RunbookCatalog.find(RunbookOperation.Kind.ACTION, "kubernetes.scale")).isPresent();
    assertThat(RunbookCatalog.find(RunbookOperation.Kind.PROBE, "kubernetes.scale")).isEmpty();
    assertThat(
            RunbookCatalog.find(RunbookOperation.Kind.ACTION, "kubernetes.scale")
                .orElseThrow()
                .parameter("replicas")
                .type())
        .isEqualTo(ParameterType.INTEGER);
  }

  @Test
  void transitionsNameTheFieldThatLeadsOn() {
    ParallelStep parallel =
        new ParallelStep("p", null, List.of("a", "b"), null, null, "done", "page");
    assertThat(parallel.transitions())
        .containsExactly(
            java.util.Map.entry("branches[0]", "a"),
            java.util.Map.entry("branches[1]", "b"),
            java.util.Map.entry("onSuccess", "done"),
            java.util.Map.entry("onFailure", "page"));
    assertThat(parallel.join()).isEqualTo(ParallelStep.Join.ALL);
    assertThat(parallel.failurePolicy()).isEqualTo(ParallelStep.FailurePolicy.FAIL_FAST);
    assertThat(new WaitStep("w", null, "1m", null).transitions()).isEmpty();
  }
}
