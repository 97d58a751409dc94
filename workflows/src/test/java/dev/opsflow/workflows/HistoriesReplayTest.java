package dev.opsflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every saved history (src/test/resources/histories/&lt;procedure&gt;/*.json) against the
 * current workflow code. A change that would break running workflows (a new activity call, a
 * reordered step, a different timer) fails here with a non-determinism error. To add or refresh
 * histories after an intended, versioned change: {@code mvn -pl workflows -am test
 * -Dtest=RecordHistories -Dopsflow.recordHistories=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class HistoriesReplayTest {
  static final Path HISTORIES = Path.of("src", "test", "resources", "histories");

  static Stream<Path> histories() {
    try (Stream<Path> files = Files.walk(HISTORIES)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void savedHistoryReplaysOnCurrentCode(Path file) throws Exception {
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(Files.readString(file));
    Class<?>[] impls = WorkflowCatalog.IMPLEMENTATIONS.toArray(Class<?>[]::new);
    WorkflowReplayer.replayWorkflowExecution(
        history, impls[0], java.util.Arrays.copyOfRange(impls, 1, impls.length));
  }

  @Test
  void everyWorkflowTypeHasASavedHistory() {
    List<String> types =
        histories()
            .map(
                p -> {
                  try {
                    return WorkflowExecutionHistory.fromJson(Files.readString(p))
                        .getEvents()
                        .get(0)
                        .getWorkflowExecutionStartedEventAttributes()
                        .getWorkflowType()
                        .getName();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .distinct()
            .toList();
    assertThat(types).containsAll(WorkflowCatalog.typeNames());
  }
}
