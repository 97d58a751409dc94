package dev.opsflow.activities.command;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.ConfigKey;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.activity.Activity;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CommandActivities} with {@link ProcessBuilder}. Background processes a program leaves
 * running after it exits normally are not tracked; on timeout or cancellation every process still
 * below the program is killed.
 */
public final class CommandActivitiesImpl implements CommandActivities {
  /** Retryable failure type: the worker was interrupted (shutting down) while a program ran. */
  public static final String INTERRUPTED = "CommandInterrupted";

  public static final long DEFAULT_TIMEOUT_SECONDS = 60;
  public static final long MAX_TIMEOUT_SECONDS = 30 * 60;
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
  public static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

  /** How often a running program is reported to Temporal. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /** How long to wait for the rest of the output after the program ended or was killed. */
  private static final Duration OUTPUT_DRAIN_WAIT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(CommandActivitiesImpl.class);

  private final boolean enabled;
  private final Duration heartbeatInterval;
  private final Consumer<CommandProgress> heartbeat;

  /**
   * @param enabled {@code command.enabled}; when false every call is refused
   * @param heartbeatInterval how often to report progress while a program runs
   * @param heartbeat where progress goes; in a worker, {@link #heartbeatToTemporal}. When it throws
   *     (the activity was cancelled or timed out) the program is killed and the exception passed on
   */
  public CommandActivitiesImpl(
      boolean enabled, Duration heartbeatInterval, Consumer<CommandProgress> heartbeat) {
    this.enabled = enabled;
    this.heartbeatInterval = heartbeatInterval;
    this.heartbeat = heartbeat;
  }

  public static CommandActivitiesImpl fromConfig(OpsflowConfig config) {
    return new CommandActivitiesImpl(
        config.command().enabled(), HEARTBEAT_INTERVAL, CommandActivitiesImpl::heartbeatToTemporal);
  }

  /** Records progress as the activity's heartbeat; throws if the activity was cancelled. */
  public static void heartbeatToTemporal(CommandProgress progress) {
    Activity.getExecutionContext().heartbeat(progress);
  }

  @Override
  public CommandResult runCommand(CommandRequest request) {
    if (!enabled) {
      throw FailureTypes.forbiddenTarget(
          "running commands is disabled on this worker; set command.enabled: true"
              + " (COMMAND_ENABLED=true) to allow it");
    }
    if (request == null) {
      throw FailureTypes.invalidInput("runCommand needs a request");
    }
    if (request.actionId() == null || request.actionId().isBlank()) {
      throw FailureTypes.invalidInput("actionId is required");
    }
    List<String> argv = argv(request.command());
    long timeoutSeconds =
        limit(
            request.timeoutSeconds(),
            DEFAULT_TIMEOUT_SECONDS,
            MAX_TIMEOUT_SECONDS,
            "timeoutSeconds");
    int maxOutput =
        (int)
            limit(
                request.maxOutputBytes(),
                DEFAULT_MAX_OUTPUT_BYTES,
                MAX_OUTPUT_BYTES,
                "maxOutputBytes");

    ProcessBuilder builder = new ProcessBuilder(argv);
    if (request.workingDirectory() != null && !request.workingDirectory().isBlank()) {
      File directory = new File(request.workingDirectory());
      if (!directory.isDirectory()) {
        throw FailureTypes.invalidInput(
            "workingDirectory " + request.workingDirectory() + " is not a directory on this host");
      }
      builder.directory(directory);
    }
    removeSecrets(builder.environment());

    long started = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw FailureTypes.notFound("cannot start " + argv.get(0) + ": " + e.getMessage());
    }
    log.info(
        "action {}: started {} as pid {}, timeout {} s",
        request.actionId(),
        argv,
        process.pid(),
        timeoutSeconds);
    closeStdin(process);
    CappedOutput stdout =
        CappedOutput.start(process.getInputStream(), maxOutput, "stdout-" + process.pid());
    CappedOutput stderr =
        CappedOutput.start(process.getErrorStream(), maxOutput, "stderr-" + process.pid());

    boolean timedOut =
        waitOrKill(process, started, Duration.ofSeconds(timeoutSeconds), stdout, stderr);
    int exitCode = exitCode(process);
    long durationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    stdout.await(OUTPUT_DRAIN_WAIT);
    stderr.await(OUTPUT_DRAIN_WAIT);
    log.info(
        "action {}: {} ended with exit code {} after {} ms{}",
        request.actionId(),
        argv.get(0),
        exitCode,
        durationMillis,
        timedOut ? " (killed at timeout)" : "");
    return new CommandResult(
        exitCode,
        stdout.text(),
        stderr.text(),
        timedOut,
        durationMillis,
        stdout.truncated() || stderr.truncated());
  }

  /**
   * Waits for the program, heartbeating, until it ends or the timeout passes. Returns true when it
   * was killed at the timeout. Cancellation (a heartbeat that throws) and interruption kill it too.
   */
  private boolean waitOrKill(
      Process process, long startedNanos, Duration timeout, CappedOutput out, CappedOutput err) {
    long deadline = startedNanos + timeout.toNanos();
    try {
      while (true) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          killTree(process);
          return true;
        }
        if (process.waitFor(
            Math.min(remaining, heartbeatInterval.toNanos()), TimeUnit.NANOSECONDS)) {
          return false;
        }
        heartbeat.accept(
            new CommandProgress(
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos),
                out.total(),
                err.total()));
      }
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(
          "interrupted while running pid " + process.pid() + "; killed it", INTERRUPTED, e);
    } catch (RuntimeException e) {
      // The activity was cancelled or its heartbeat failed: the program must not outlive it.
      killTree(process);
      throw e;
    }
  }

  /**
   * Kills the program and every process below it. The parent goes first so it cannot start more;
   * the descendants are listed before, since once it is dead they no longer hang below it.
   */
  static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    for (ProcessHandle child : descendants) {
      child.descendants().forEach(ProcessHandle::destroyForcibly);
      child.destroyForcibly();
    }
    log.warn("killed pid {} and {} processes below it", process.pid(), descendants.size());
  }

  private static int exitCode(Process process) {
    try {
      if (process.waitFor(5, TimeUnit.SECONDS)) {
        return process.exitValue();
      }
      throw FailureTypes.retryable(
          "pid " + process.pid() + " did not end 5 s after being killed", INTERRUPTED, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(
          "interrupted while waiting for pid " + process.pid() + " to end", INTERRUPTED, e);
    }
  }

  /** The program gets no input: a prompt must fail, not hang until the timeout. */
  private static void closeStdin(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // The program already exited; there is nothing left to close.
      log.debug("stdin of pid {} already closed: {}", process.pid(), e.getMessage());
    }
  }

  /** Removes opsflow's secrets (Slack token, database password, ...) from a child environment. */
  static void removeSecrets(Map<String, String> environment) {
    for (ConfigKey key : ConfigKey.values()) {
      if (key.secret()) {
        environment.remove(key.env());
      }
    }
  }

  private static List<String> argv(List<String> command) {
    if (command == null || command.isEmpty()) {
      throw FailureTypes.invalidInput("command is required: [program, arg, ...]");
    }
    if (command.stream().anyMatch(arg -> arg == null)) {
      throw FailureTypes.invalidInput("command has a null argument: " + command);
    }
    if (command.get(0).isBlank()) {
      throw FailureTypes.invalidInput("command's program (first element) is blank");
    }
    return List.copyOf(command);
  }

  private static long limit(long value, long defaultValue, long max, String field) {
    if (value < 0 || value > max) {
      throw FailureTypes.invalidInput(
          field + " must be 0 (default " + defaultValue + ") to " + max + ", was " + value);
    }
    return value == 0 ? defaultValue : value;
  }

  /** Reads a stream to its end on its own thread, keeping only the first {@code cap} bytes. */
  private static final class CappedOutput implements Runnable {
    private final InputStream in;
    private final int cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final AtomicLong total = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);

    private CappedOutput(InputStream in, int cap) {
      this.in = in;
      this.cap = cap;
    }

    static CappedOutput start(InputStream in, int cap, String name) {
      CappedOutput output = new CappedOutput(in, cap);
      Thread reader = new Thread(output, "command-" + name);
      // A background process that keeps the pipe open must not keep the worker alive.
      reader.setDaemon(true);
      reader.start();
      return output;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buffer)) != -1) {
          synchronized (kept) {
            int room = cap - kept.size();
            if (room > 0) {
              kept.write(buffer, 0, Math.min(room, n));
            }
          }
          total.addAndGet(n);
        }
      } catch (IOException e) {
        // The pipe closed under us because the process was killed; what was read is kept.
        log.debug("output pipe closed: {}", e.getMessage());
      } finally {
        done.countDown();
      }
    }

    void await(Duration bound) {
      try {
        if (!done.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn(
              "output still open {} ms after the program ended (a background process?)",
              bound.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    long total() {
      return total.get();
    }

    boolean truncated() {
      return total.get() > cap;
    }

    String text() {
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
