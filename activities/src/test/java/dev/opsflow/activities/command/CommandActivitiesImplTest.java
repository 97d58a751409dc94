package dev.opsflow.activities.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.opsflow.activities.FailureTypes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandActivitiesImplTest {
  private final List<CommandProgress> heartbeats = new CopyOnWriteArrayList<>();
  private final CommandActivitiesImpl commands =
      new CommandActivitiesImpl(true, Duration.ofMillis(100), heartbeats::add);

  private static CommandRequest run(List<String> argv, long timeoutSeconds, int maxOutputBytes) {
    return new CommandRequest("act-1", argv, null, timeoutSeconds, maxOutputBytes);
  }

  @Test
  void argumentsReachTheProgramAsGivenWithoutAShell() {
    CommandResult result = commands.runCommand(run(List.of("echo", "a b; echo $HOME | x"), 10, 0));

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("a b; echo $HOME | x\n");
    assertThat(result.stderr()).isEmpty();
    assertThat(result.timedOut()).isFalse();
    assertThat(result.outputTruncated()).isFalse();
  }

  @Test
  void nonZeroExitIsAResultWithStderr() {
    CommandResult result =
        commands.runCommand(run(List.of("sh", "-c", "echo partial; echo oops >&2; exit 3"), 10, 0));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("partial\n");
    assertThat(result.stderr()).isEqualTo("oops\n");
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  void timeoutKillsTheProgramAndEverythingItStarted() {
    long started = System.nanoTime();
    CommandResult result =
        commands.runCommand(run(List.of("sh", "-c", "sleep 60 & echo $!; wait"), 1, 0));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isNotZero();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(result.durationMillis()).isBetween(900L, 9_000L);
    long sleeperPid = Long.parseLong(result.stdout().trim());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(sleeperPid).filter(ProcessHandle::isAlive).isEmpty());
    assertThat(heartbeats).isNotEmpty();
  }

  @Test
  void outputIsCappedButTheProgramRunsToTheEnd() {
    CommandResult result =
        commands.runCommand(
            run(
                List.of("sh", "-c", "head -c 100000 /dev/zero | tr '\\000' x; echo done >&2"),
                10,
                1000));

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).hasSize(1000).matches("x+");
    assertThat(result.stderr()).isEqualTo("done\n");
    assertThat(result.outputTruncated()).isTrue();
  }

  @Test
  void heartbeatsReportTheRunningProgram() {
    CommandResult result = commands.runCommand(run(List.of("sleep", "0.5"), 10, 0));

    assertThat(result.exitCode()).isZero();
    assertThat(heartbeats).hasSizeGreaterThanOrEqualTo(2);
    assertThat(heartbeats).extracting(CommandProgress::pid).containsOnly(heartbeats.get(0).pid());
    assertThat(heartbeats.get(heartbeats.size() - 1).elapsedMillis())
        .isGreaterThan(heartbeats.get(0).elapsedMillis());
  }

  @Test
  void aFailingHeartbeatKillsTheProgram() {
    CommandActivitiesImpl cancelled =
        new CommandActivitiesImpl(
            true,
            Duration.ofMillis(100),
            progress -> {
              heartbeats.add(progress);
              throw new IllegalStateException("activity cancelled");
            });

    IllegalStateException error =
        catchThrowableOfType(
            IllegalStateException.class,
            () -> cancelled.runCommand(run(List.of("sleep", "30"), 60, 0)));

    assertThat(error).hasMessage("activity cancelled");
    long pid = heartbeats.get(0).pid();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
  }

  @Test
  void runsInTheRequestedWorkingDirectory(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("marker.txt"), "here");

    CommandResult result =
        commands.runCommand(
            new CommandRequest("act-2", List.of("cat", "marker.txt"), dir.toString(), 10, 0));

    assertThat(result.stdout()).isEqualTo("here");
  }

  @Test
  void disabledWorkerRefusesWithForbiddenTargetNamingTheSetting() {
    CommandActivitiesImpl disabled =
        new CommandActivitiesImpl(false, Duration.ofSeconds(1), heartbeats::add);

    ApplicationFailure failure =
        assertFailure(
            () -> disabled.runCommand(run(List.of("touch", "/tmp/should-not-exist"), 10, 0)),
            FailureTypes.FORBIDDEN_TARGET);

    assertThat(failure.getOriginalMessage())
        .contains("command.enabled")
        .contains("COMMAND_ENABLED");
  }

  @Test
  void badRequestsAreInvalidInputAndUnknownProgramsNotFound(@TempDir Path dir) {
    assertFailure(() -> commands.runCommand(run(List.of(), 10, 0)), FailureTypes.INVALID_INPUT);
    assertFailure(() -> commands.runCommand(run(List.of(" "), 10, 0)), FailureTypes.INVALID_INPUT);
    assertFailure(
        () -> commands.runCommand(run(List.of("true"), -1, 0)), FailureTypes.INVALID_INPUT);
    assertFailure(
        () ->
            commands.runCommand(
                run(List.of("true"), CommandActivitiesImpl.MAX_TIMEOUT_SECONDS + 1, 0)),
        FailureTypes.INVALID_INPUT);
    assertFailure(
        () ->
            commands.runCommand(
                run(List.of("true"), 10, CommandActivitiesImpl.MAX_OUTPUT_BYTES + 1)),
        FailureTypes.INVALID_INPUT);
    assertFailure(
        () -> commands.runCommand(new CommandRequest(" ", List.of("true"), null, 10, 0)),
        FailureTypes.INVALID_INPUT);
    assertFailure(
        () ->
            commands.runCommand(
                new CommandRequest("a", List.of("true"), dir.resolve("missing").toString(), 10, 0)),
        FailureTypes.INVALID_INPUT);
    assertFailure(
        () -> commands.runCommand(run(List.of("no-such-program-opsflow"), 10, 0)),
        FailureTypes.NOT_FOUND);
  }

  @Test
  void opsflowSecretsAreRemovedFromTheProgramsEnvironment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("PATH", "/usr/bin");
    environment.put("SLACK_TOKEN", "xoxb-secret");
    environment.put("POSTGRES_PASSWORD", "pw");
    environment.put("PAGERDUTY_ROUTING_KEY", "rk");
    environment.put("SLACK_SIGNING_SECRET", "ss");
    environment.put("SLACK_CHANNEL", "#ops");

    CommandActivitiesImpl.removeSecrets(environment);

    assertThat(environment).containsOnlyKeys("PATH", "SLACK_CHANNEL");
  }

  @Test
  void throughTemporalResultsArriveAndRefusalKeepsItsType() {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(
          new CommandActivitiesImpl(
              true, Duration.ofMillis(100), CommandActivitiesImpl::heartbeatToTemporal));
      CommandActivities stub =
          env.newActivityStub(CommandActivities.class, CommandOptions.RUN_COMMAND);
      CommandResult result = stub.runCommand(run(List.of("sh", "-c", "sleep 0.3; exit 2"), 10, 0));
      assertThat(result.exitCode()).isEqualTo(2);
    } finally {
      env.close();
    }

    TestActivityEnvironment disabledEnv = TestActivityEnvironment.newInstance();
    try {
      disabledEnv.registerActivitiesImplementations(
          new CommandActivitiesImpl(
              false, Duration.ofSeconds(1), CommandActivitiesImpl::heartbeatToTemporal));
      CommandActivities stub =
          disabledEnv.newActivityStub(CommandActivities.class, CommandOptions.RUN_COMMAND);
      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class, () -> stub.runCommand(run(List.of("true"), 10, 0)));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(FailureTypes.FORBIDDEN_TARGET);
      assertThat(cause.isNonRetryable()).isTrue();
    } finally {
      disabledEnv.close();
    }
  }

  @Test
  void optionsHeartbeatAndOutlastTheLongestTimeout() {
    assertThat(CommandOptions.RUN_COMMAND.getStartToCloseTimeout())
        .isGreaterThan(Duration.ofSeconds(CommandActivitiesImpl.MAX_TIMEOUT_SECONDS));
    assertThat(CommandOptions.RUN_COMMAND.getHeartbeatTimeout())
        .isGreaterThan(CommandActivitiesImpl.HEARTBEAT_INTERVAL.multipliedBy(2));
    assertThat(CommandOptions.RUN_COMMAND.getRetryOptions().getMaximumAttempts()).isEqualTo(1);
    assertThat(CommandOptions.RUN_COMMAND.getRetryOptions().getDoNotRetry())
        .containsExactlyInAnyOrderElementsOf(FailureTypes.NON_RETRYABLE);
  }

  private static ApplicationFailure assertFailure(Runnable call, String type) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("expected an ApplicationFailure of type " + type).isNotNull();
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isTrue();
    return failure;
  }
}
