package dev.opsflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The workflows module holds deterministic code only. Replay tests catch a changed sequence of
 * commands; this catches the calls that make a workflow non-deterministic in the first place.
 */
class WorkflowsStayDeterministicTest {
  private static final Map<String, String> FORBIDDEN =
      Map.ofEntries(
          Map.entry("System.currentTimeMillis", "use Workflow.currentTimeMillis()"),
          Map.entry("System.nanoTime", "use Workflow.currentTimeMillis()"),
          Map.entry("Instant.now(", "use Workflow.currentTimeMillis()"),
          Map.entry("LocalDateTime.now(", "use Workflow.currentTimeMillis()"),
          Map.entry("UUID.randomUUID", "use Workflow.randomUUID()"),
          Map.entry("new Random(", "use Workflow.newRandom()"),
          Map.entry("Math.random", "use Workflow.newRandom()"),
          Map.entry("Thread.sleep", "use Workflow.sleep()"),
          Map.entry("new Thread(", "use Async.function / Async.procedure"),
          Map.entry("CompletableFuture", "use Promise"),
          Map.entry("ExecutorService", "use Async"),
          Map.entry("LoggerFactory", "use Workflow.getLogger (silent on replay)"),
          Map.entry("import java.net.", "I/O belongs in an activity"),
          Map.entry("import java.io.File", "I/O belongs in an activity"),
          Map.entry("import java.nio.file.", "I/O belongs in an activity"),
          Map.entry("import java.sql.", "I/O belongs in an activity"),
          Map.entry("System.getenv", "configuration reaches workflows as input"));

  @Test
  void workflowCodeUsesNoClockRandomnessThreadsOrIo() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          for (Map.Entry<String, String> rule : FORBIDDEN.entrySet()) {
            if (line.contains(rule.getKey())) {
              violations.add(
                  file + ":" + (i + 1) + " uses " + rule.getKey() + ": " + rule.getValue());
            }
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
