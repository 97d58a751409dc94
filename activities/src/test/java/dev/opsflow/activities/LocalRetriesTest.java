package dev.opsflow.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.LocalActivityOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every local activity's options, wherever in the adapters they are declared, end their retries by
 * a number of attempts and retry past {@link LocalRetries#THRESHOLD} through a timer: the SDK does
 * not end a local activity's retries at its schedule-to-close budget, so without a bound a read of
 * a system that stays down is retried for as long as the run lives and nobody hears of it.
 */
class LocalRetriesTest {

  /** The public static LocalActivityOptions constants of the classes compiled beside this one. */
  private static List<String> violations() throws Exception {
    Path root =
        Path.of(LocalRetries.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> found = new ArrayList<>();
    int constants = 0;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            root.relativize(file)
                .toString()
                .replace(".class", "")
                .replace(file.getFileSystem().getSeparator(), ".");
        Class<?> type = Class.forName(name, false, LocalRetries.class.getClassLoader());
        for (Field field : type.getDeclaredFields()) {
          if (field.getType() != LocalActivityOptions.class
              || !Modifier.isStatic(field.getModifiers())) {
            continue;
          }
          field.setAccessible(true);
          LocalActivityOptions options = (LocalActivityOptions) field.get(null);
          constants++;
          String where = type.getSimpleName() + "." + field.getName();
          if (options.getRetryOptions() == null
              || options.getRetryOptions().getMaximumAttempts() <= 0) {
            found.add(where + ": no bound on its attempts");
          }
          if (!LocalRetries.THRESHOLD.equals(options.getLocalRetryThreshold())) {
            found.add(where + ": local retry threshold " + options.getLocalRetryThreshold());
          }
        }
      }
    }
    assertThat(constants).as("local activity options found").isGreaterThanOrEqualTo(7);
    return found;
  }

  @Test
  void everyLocalActivityEndsItsRetriesByAttemptsAndWaitsOnTimers() throws Exception {
    assertThat(violations()).isEmpty();
  }
}
