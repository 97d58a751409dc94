package dev.opsflow.workflows.planted;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Does I/O, as activities may: the check must not report it. */
public class RunbookActivitiesImpl implements RunbookActivities {
  @Override
  public String readRunbook(String name) {
    try {
      return Files.readString(Path.of("runbooks", name + ".md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
