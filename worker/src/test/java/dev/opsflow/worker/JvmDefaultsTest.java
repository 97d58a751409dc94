package dev.opsflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each case is a JVM of its own (the common pool is sized once per JVM), told it has two CPUs, as a
 * small pod or this project's CI machine.
 */
class JvmDefaultsTest {

  /** Prints where a CompletableFuture's async stages run, after applying the defaults or not. */
  public static final class Probe {
    public static void main(String[] args) {
      if (args.length > 0 && args[0].equals("apply")) {
        JvmDefaults.apply();
      }
      System.out.println(new CompletableFuture<Void>().defaultExecutor().getClass().getName());
      System.out.println(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    }
  }

  private static List<String> probe(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:ActiveProcessorCount=2");
    for (String arg : args) {
      if (arg.startsWith("-D")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Probe.class.getName());
    for (String arg : args) {
      if (!arg.startsWith("-D")) {
        command.add(arg);
      }
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe ended").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }

  @Test
  void onTwoCpusAsyncStagesRunOnANewThreadEachWithoutTheDefaults() throws Exception {
    // What the JVM does on its own: the reason for the defaults (and proof the probe can tell).
    assertThat(probe())
        .containsExactly("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor", "1");
  }

  @Test
  void theDefaultsGiveTheCommonPoolTwoThreadsOnTwoCpus() throws Exception {
    assertThat(probe("apply")).containsExactly("java.util.concurrent.ForkJoinPool", "2");
  }

  @Test
  void aParallelismSetByTheUserWins() throws Exception {
    assertThat(probe("-D" + JvmDefaults.COMMON_POOL_PARALLELISM + "=3", "apply"))
        .containsExactly("java.util.concurrent.ForkJoinPool", "3");
  }
}
