package dev.opsflow.activities.runbook;

import dev.opsflow.config.ConfigException;
import dev.opsflow.config.ConfigKey;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbooks of a folder ({@code runbooks.dir}), each read and validated by {@link
 * RunbookLoader}, by id. A process that serves runbooks loads its folder once at start with {@link
 * #load}: one invalid file stops the start (its problems in the message), unless {@code
 * runbooks.skipInvalid}, in which case it is logged loudly and left out, so no run ever starts from
 * a file that failed validation.
 *
 * <p>Only the folder's own {@code *.yaml} / {@code *.yml} files are runbooks: {@code schema/} and
 * other subfolders are not read.
 */
public final class RunbookFolder {
  private static final Logger log = LoggerFactory.getLogger(RunbookFolder.class);

  private final Path dir;
  private final Map<String, PinnedRunbook> runbooks;
  private final List<RunbookValidation> skipped;

  private RunbookFolder(
      Path dir, Map<String, PinnedRunbook> runbooks, List<RunbookValidation> skipped) {
    this.dir = dir;
    this.runbooks = Collections.unmodifiableMap(new LinkedHashMap<>(runbooks));
    this.skipped = List.copyOf(skipped);
  }

  /** A folder with no runbooks (a process that has none, a test). */
  public static RunbookFolder empty() {
    return new RunbookFolder(Path.of(""), Map.of(), List.of());
  }

  /** The runbooks given, by id (tests). */
  public static RunbookFolder of(Collection<PinnedRunbook> runbooks) {
    Map<String, PinnedRunbook> byId = new TreeMap<>();
    runbooks.forEach(r -> byId.put(r.definition().id(), r));
    return new RunbookFolder(Path.of(""), byId, List.of());
  }

  /**
   * Reads every runbook of {@code dir} without deciding anything: valid ones by id, invalid ones
   * (and a second file with an id already taken) as their validations. For the CLI's {@code list}
   * and {@code show}, which read a folder without starting a server.
   *
   * @throws IOException when the folder cannot be listed
   */
  public static RunbookFolder read(Path dir) throws IOException {
    Map<String, PinnedRunbook> byId = new TreeMap<>();
    Map<String, String> fileOf = new TreeMap<>();
    List<RunbookValidation> invalid = new ArrayList<>();
    for (Path file : files(dir)) {
      RunbookValidation validation = RunbookLoader.read(file);
      if (!validation.valid()) {
        invalid.add(validation);
        continue;
      }
      String id = validation.runbook().definition().id();
      String first = fileOf.putIfAbsent(id, validation.source());
      if (first != null) {
        invalid.add(
            new RunbookValidation(
                validation.source(),
                List.of(
                    new RunbookProblem(
                        validation.source(),
                        1,
                        RunbookProblem.RUNBOOK,
                        "id",
                        "id '" + id + "' is already the id of " + first + "; ids are unique")),
                null));
        continue;
      }
      byId.put(id, validation.runbook());
    }
    return new RunbookFolder(dir, byId, invalid);
  }

  /**
   * The folder of {@code config}, as a process loads it at start.
   *
   * @param reservedIds ids a runbook may not take (the built-in procedures' names, which {@code
   *     runbookId} also starts), each with what owns it
   * @throws ConfigException naming {@code runbooks.dir} with every problem as {@code FILE:LINE:
   *     step: field: message}, when a runbook is invalid and {@code skipInvalid} is false, or the
   *     configured folder does not exist
   */
  public static RunbookFolder load(OpsflowConfig.Runbooks config, Map<String, String> reservedIds) {
    Path dir = Path.of(config.dir());
    if (!Files.isDirectory(dir)) {
      if (config.dirIsDefault()) {
        log.info(
            "No runbooks folder {} (runbooks.dir) under {}: no runbooks as data",
            dir,
            Path.of("").toAbsolutePath());
        return new RunbookFolder(dir, Map.of(), List.of());
      }
      throw new ConfigException(
          ConfigKey.RUNBOOKS_DIR.path(),
          "folder "
              + dir
              + " does not exist or is not a folder (env "
              + ConfigKey.RUNBOOKS_DIR.env()
              + ")");
    }
    RunbookFolder read;
    try {
      read = read(dir);
    } catch (IOException e) {
      throw new ConfigException(
          ConfigKey.RUNBOOKS_DIR.path(), "cannot list " + dir + ": " + e.getMessage());
    }
    List<RunbookValidation> refused = new ArrayList<>(read.skipped);
    Map<String, PinnedRunbook> kept = new TreeMap<>(read.runbooks);
    for (PinnedRunbook runbook : read.runbooks.values()) {
      String owner = reservedIds.get(runbook.definition().id());
      if (owner != null) {
        kept.remove(runbook.definition().id());
        refused.add(
            new RunbookValidation(
                runbook.source(),
                List.of(
                    new RunbookProblem(
                        runbook.source(),
                        1,
                        RunbookProblem.RUNBOOK,
                        "id",
                        "'"
                            + runbook.definition().id()
                            + "' is the name of the built-in procedure "
                            + owner
                            + "; choose another id")),
                null));
        continue;
      }
      // A literal URL outside runbooks.httpAllow could never run: refused now, with its line.
      List<RunbookProblem> urls = RunbookLoader.urlProblems(runbook, config.httpAllow());
      if (!urls.isEmpty()) {
        kept.remove(runbook.definition().id());
        refused.add(new RunbookValidation(runbook.source(), urls, null));
      }
    }
    if (!refused.isEmpty() && !config.skipInvalid()) {
      StringBuilder message =
          new StringBuilder()
              .append(refused.size())
              .append(" runbook(s) in ")
              .append(dir)
              .append(" invalid; a runbook that fails validation is never started. Fix them")
              .append(" (opsflow runbook validate FILE), or set runbooks.skipInvalid: true (env ")
              .append(ConfigKey.RUNBOOKS_SKIP_INVALID.env())
              .append("=true) to start without them:");
      refused.forEach(v -> v.problems().forEach(p -> message.append("\n  ").append(p)));
      throw new ConfigException(ConfigKey.RUNBOOKS_DIR.path(), message.toString());
    }
    for (RunbookValidation skip : refused) {
      // Loud on purpose: the operator asked to start anyway, and the runbook is now absent.
      log.error(
          "SKIPPED runbook {} (runbooks.skipInvalid=true): it cannot be started until fixed:\n  {}",
          skip.source(),
          String.join("\n  ", skip.problems().stream().map(RunbookProblem::toString).toList()));
    }
    log.info(
        "Runbooks from {}: {}", dir, kept.isEmpty() ? "(none)" : String.join(", ", kept.keySet()));
    return new RunbookFolder(dir, kept, refused);
  }

  /**
   * The ids the built-in procedures answer to as {@code runbookId} ({@code CrashLoopRemediation} ->
   * {@code crash-loop-remediation}), each with its type, for {@link #load}'s {@code reservedIds}.
   */
  public static Map<String, String> builtInIds(Collection<String> typeNames) {
    Map<String, String> ids = new TreeMap<>();
    typeNames.forEach(t -> ids.put(kebab(t), t));
    return ids;
  }

  /** {@code CrashLoopRemediation} -> {@code crash-loop-remediation}. */
  public static String kebab(String type) {
    return type.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> listing = Files.list(dir)) {
      return listing
          .filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  /** The folder read (as configured). */
  public Path dir() {
    return dir;
  }

  /** Every runbook that may be started, by id, in id order. */
  public Map<String, PinnedRunbook> runbooks() {
    return runbooks;
  }

  /** The runbook with this id, if it may be started. */
  public Optional<PinnedRunbook> runbook(String id) {
    return Optional.ofNullable(runbooks.get(id));
  }

  /** Files left out: invalid ones, and a second file for an id already taken. */
  public List<RunbookValidation> skipped() {
    return skipped;
  }
}
