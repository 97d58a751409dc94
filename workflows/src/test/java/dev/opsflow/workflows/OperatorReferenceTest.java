package dev.opsflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.common.metadata.POJOWorkflowInterfaceMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import io.temporal.common.metadata.WorkflowMethodType;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's "Workflow types" table and {@code examples/inputs} are what operators type into tctl
 * and the temporal CLI: every catalog type must have a row whose signals, updates and queries are
 * exactly the interface's, and an example input that parses into the workflow's argument as the
 * payload tctl sends (encoding json/plain, the raw JSON text).
 */
class OperatorReferenceTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path INPUTS = Path.of("..", "examples", "inputs");

  static Stream<Class<?>> implementations() {
    return WorkflowCatalog.IMPLEMENTATIONS.stream();
  }

  private static POJOWorkflowInterfaceMetadata workflowInterface(Class<?> impl) {
    return POJOWorkflowImplMetadata.newInstance(impl).getWorkflowInterfaces().stream()
        .filter(i -> i.getWorkflowMethod().isPresent())
        .findFirst()
        .orElseThrow();
  }

  private static Set<String> names(POJOWorkflowInterfaceMetadata i, WorkflowMethodType type) {
    return i.getMethodsMetadata().stream()
        .filter(m -> m.getType() == type)
        .map(POJOWorkflowMethodMetadata::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String[] row(String type) throws IOException {
    String readme = Files.readString(README);
    Matcher m = Pattern.compile("(?m)^\\| `" + type + "` \\|(.*)$").matcher(readme);
    assertThat(m.find()).as("README Workflow types row for " + type).isTrue();
    return m.group(1).split("\\|");
  }

  private static Set<String> backticked(String cell, Set<String> previous) {
    if (cell.trim().equals("same as above")) {
      return previous;
    }
    Set<String> found = new TreeSet<>();
    Matcher m = Pattern.compile("`([A-Za-z]+)`").matcher(cell);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static Set<String> previousSignals = Set.of();

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void readmeRowListsExactlyTheSignalsUpdatesAndQueries(Class<?> impl) throws IOException {
    POJOWorkflowInterfaceMetadata i = workflowInterface(impl);
    String type = i.getWorkflowMethod().orElseThrow().getName();
    String[] cells = row(type);
    Set<String> signals = backticked(cells[1], previousSignals);
    if (!cells[1].trim().equals("same as above")) {
      previousSignals = signals;
    }
    assertThat(signals).as(type + " signals").isEqualTo(names(i, WorkflowMethodType.SIGNAL));
    assertThat(backticked(cells[2], Set.of()))
        .as(type + " updates")
        .isEqualTo(names(i, WorkflowMethodType.UPDATE));
    assertThat(backticked(cells[3], Set.of()))
        .as(type + " queries")
        .isEqualTo(names(i, WorkflowMethodType.QUERY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void exampleInputParsesAsTheWorkflowsArgumentFromARawJsonPayload(Class<?> impl)
      throws IOException {
    POJOWorkflowInterfaceMetadata i = workflowInterface(impl);
    POJOWorkflowMethodMetadata method = i.getWorkflowMethod().orElseThrow();
    Path example = INPUTS.resolve(method.getName() + ".json");
    assertThat(example).as("example input for " + method.getName()).exists();
    Method m = method.getWorkflowMethod();
    assertThat(m.getParameterCount()).isEqualTo(1);
    Object parsed =
        DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
            rawJson(Files.readString(example)),
            m.getParameterTypes()[0],
            m.getGenericParameterTypes()[0]);
    assertThat(parsed).as(example + " parsed").isNotNull();
    // Every record component the example names arrives (nothing silently dropped as null).
    if (parsed instanceof Record record) {
      String json = Files.readString(example);
      Arrays.stream(record.getClass().getRecordComponents())
          .filter(c -> json.contains("\"" + c.getName() + "\""))
          .forEach(
              c -> {
                try {
                  assertThat(c.getAccessor().invoke(record))
                      .as(method.getName() + "." + c.getName())
                      .isNotNull();
                } catch (ReflectiveOperationException e) {
                  throw new AssertionError(e);
                }
              });
    }
  }

  /** What tctl and the temporal CLI send for {@code --input '<json>'}. */
  static Payload rawJson(String json) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();
  }
}
