package dev.opsflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
import dev.opsflow.contracts.rollout.BuiltInChecks;
import dev.opsflow.contracts.rollout.CanaryRequest;
import dev.opsflow.contracts.rollout.CanaryStep;
import dev.opsflow.contracts.rollout.MlDeploymentRequest;
import dev.opsflow.contracts.rollout.RolloutDoor;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.worker.TemporalConnection;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code opsflow rollout canary|blue-green|ml ...} start a rollout through {@link RolloutDoor};
 * {@code opsflow rollout status|pause|resume|promote|promote-full|abort|retry ID}: each command
 * goes through the rollout's Update, so one that would not count in its state ("not paused",
 * "already rolled back") is refused here and now with the rollout's reason.
 */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    description = {
      "Follow and steer a rollout (CanaryRollout, BlueGreenDeployment, MlModelDeployment).",
      "Example: opsflow rollout status rollout-shop.web",
      "Example: opsflow rollout promote rollout-shop.web --comment 'dashboards look fine'"
    },
    subcommands = {
      RolloutCommand.Canary.class,
      RolloutCommand.BlueGreen.class,
      RolloutCommand.Ml.class,
      RolloutCommand.Status.class,
      RolloutCommand.Pause.class,
      RolloutCommand.Resume.class,
      RolloutCommand.Promote.class,
      RolloutCommand.PromoteFull.class,
      RolloutCommand.Abort.class,
      RolloutCommand.Retry.class
    })
final class RolloutCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a rollout command is required (status, pause, promote, ...)");
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "The rollout's status: phase, step, weights, what waits for a human, every metric's last",
        "measurement, the timeline, and how a finished run ended."
      })
  static final class Status extends StatusCommand {}

  /** One command sent through the rollout's Update of the same name. */
  abstract static class Steer extends AnswerCommand {
    /** The Update's name ({@link RolloutNames}): the verb's, in camel case for promote-full. */
    String command() {
      return spec.name().equals("promote-full") ? RolloutNames.PROMOTE_FULL : spec.name();
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      Decision decision = decision();
      String who = decision.by();
      JsonNode status;
      try (Executions executions = new Executions(temporal.client())) {
        status =
            executions.steer(
                workflowId, command(), new Decision(who, comment == null ? "" : comment));
      } catch (WorkflowNotFoundException e) {
        throw new BadInputException("WORKFLOW_ID: no running workflow '" + workflowId + "'");
      } catch (WorkflowUpdateException e) {
        return refused(command(), e);
      }
      if (json) {
        printJson(status);
        return 0;
      }
      out()
          .printf(
              "%s: %s by %s counted (the run acts on it next; `opsflow rollout status` shows what it did);"
                  + " when taken: %s, step %d/%d, new version at %d%%%s%n",
              workflowId,
              command(),
              who,
              status.path("phase").asText(),
              status.path("step").asInt(),
              status.path("steps").asInt(),
              status.path("canaryWeight").asInt(),
              status.path("waitingFor").asText("").isEmpty()
                  ? ""
                  : "; waits for: " + status.path("waitingFor").asText());
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Hold the rollout at its current weight until resumed; analysis goes on.")
  static final class Pause extends Steer {}

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "End a pause asked for with 'opsflow rollout pause'.")
  static final class Resume extends Steer {}

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description = {
        "End the current step's pause now and go on to the next step (also an indefinite pause,",
        "and one an inconclusive analysis asked you about)."
      })
  static final class Promote extends Steer {}

  @Command(
      name = "promote-full",
      mixinStandardHelpOptions = true,
      description = "Skip every remaining step and analysis: the new version takes all traffic.")
  static final class PromoteFull extends Steer {}

  @Command(
      name = "abort",
      mixinStandardHelpOptions = true,
      description =
          "Stop and roll back: no traffic to the new version, the stable one at full size.")
  static final class Abort extends Steer {}

  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "After an abort or a rollback, start the rollout again from its first step.")
  static final class Retry extends Steer {}

  @Command(
      name = "canary",
      mixinStandardHelpOptions = true,
      description = {
        "Start a CanaryRollout of a Deployment to a new image, on workflow ID",
        "rollout-NAMESPACE.DEPLOYMENT (one rollout per Deployment; while one runs a second is",
        "refused with its ID). Default steps 5,25,50,100 with the analysis during each pause.",
        "Example: opsflow rollout canary shop/web --image demo/web:v2 --pause 2m --interval 10s \\",
        "           --count 3"
      })
  static final class Canary extends OperatorCommand {
    @Mixin Target target;

    @Option(
        names = "--steps",
        split = ",",
        paramLabel = "PERCENT",
        description =
            "the new version's traffic per step, rising, ending at 100 (default 5,25,50,100)")
    List<Integer> steps;

    @Option(
        names = "--pause",
        paramLabel = "DURATION",
        description =
            "how long each step (but the last) stays and is measured, e.g. 5m, PT10M, or 'indefinite'"
                + " (wait for opsflow rollout promote); default 5m")
    String pause;

    @Option(
        names = "--analysis",
        paramLabel = "FILE",
        description = "an AnalysisTemplate as JSON (default: error rate < 1% and <= 1.5x stable)")
    Path analysis;

    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        description = "how often the default analysis measures (default 60s)")
    String interval;

    @Option(
        names = "--count",
        description = "measurements per metric of the default analysis (default 5)")
    Integer count;

    @Option(
        names = "--http-route",
        paramLabel = "ROUTE",
        description = "split by a Gateway API HTTPRoute's weights")
    String httpRoute;

    @Option(names = "--stable-backend", description = "with --http-route: the stable Service")
    String stableBackend;

    @Option(names = "--canary-backend", description = "with --http-route: the canary Service")
    String canaryBackend;

    @Option(
        names = "--flag-service",
        paramLabel = "NAME",
        description = "split by a feature flag's percentage on this configured flag service")
    String flagService;

    @Option(names = "--flag", description = "with --flag-service: the flag's key")
    String flag;

    @Option(
        names = "--deadline",
        paramLabel = "DURATION",
        description = "roll back unless at 100% within this (default: the server's)")
    String deadline;

    @Option(names = "--approve-before-full", description = "a human approves before the last step")
    boolean approveBeforeFull;

    private CanaryRequest request;

    @Override
    void validate() {
      RunEnvelope envelope = target.envelope();
      Duration stepPause =
          pause == null
              ? CanaryRequest.DEFAULT_PAUSE
              : pause.equals("indefinite") ? null : duration("--pause", pause);
      List<CanaryStep> plan = null;
      if (steps != null) {
        plan = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
          boolean last = i == steps.size() - 1;
          plan.add(new CanaryStep(steps.get(i), last ? Duration.ZERO : stepPause));
        }
      } else if (pause != null) {
        plan =
            CanaryRequest.DEFAULT_STEPS.stream()
                .map(s -> new CanaryStep(s.weight(), s.weight() == 100 ? Duration.ZERO : stepPause))
                .toList();
      }
      RolloutTarget rolled = target.target();
      TrafficRouterSpec router = router();
      AnalysisTemplate template = analysisTemplate();
      request =
          new CanaryRequest(
              rolled,
              plan,
              template,
              router,
              deadline == null ? null : duration("--deadline", deadline),
              approveBeforeFull,
              null,
              null,
              envelope);
      List<String> problems = request.problems();
      if (!problems.isEmpty()) {
        throw new BadInputException(
            String.join("; ", problems.stream().map(Canary::option).toList()));
      }
    }

    private TrafficRouterSpec router() {
      boolean route = httpRoute != null || stableBackend != null || canaryBackend != null;
      boolean featureFlag = flagService != null || flag != null;
      if (route && featureFlag) {
        throw new BadInputException(
            "--http-route and --flag-service: choose one router (default: replica ratio)");
      }
      if (route) {
        if (httpRoute == null || stableBackend == null || canaryBackend == null) {
          throw new BadInputException(
              "--http-route: needs --stable-backend and --canary-backend as well");
        }
        return new TrafficRouterSpec.HttpRoute(httpRoute, stableBackend, canaryBackend);
      }
      if (featureFlag) {
        if (flagService == null || flag == null) {
          throw new BadInputException("--flag-service: needs --flag as well (and --flag needs it)");
        }
        return new TrafficRouterSpec.FeatureFlag(flagService, flag);
      }
      return new TrafficRouterSpec.ReplicaRatio();
    }

    private AnalysisTemplate analysisTemplate() {
      if (analysis != null) {
        if (interval != null || count != null) {
          throw new BadInputException(
              "--interval and --count: tune the default analysis; an --analysis file sets its own");
        }
        return analysisFile(analysis);
      }
      if (interval == null && count == null) {
        return null; // the workflow's default analysis
      }
      long seconds =
          interval == null
              ? BuiltInChecks.DEFAULT_INTERVAL_SECONDS
              : duration("--interval", interval).toSeconds();
      int measurements = count == null ? BuiltInChecks.DEFAULT_COUNT : count;
      if (seconds < 1) {
        throw new BadInputException("--interval: at least 1s");
      }
      if (measurements < 1) {
        throw new BadInputException("--count: at least 1");
      }
      return new AnalysisTemplate(
          "default",
          List.of(
              BuiltInChecks.errorRateBelow(0.01).every(seconds, measurements),
              BuiltInChecks.errorRateVersusStable(1.5, 0.001).every(seconds, measurements)));
    }

    /** {@code NAMESPACE/DEPLOYMENT} as its two names; anything else names the parameter. */
    static String[] namespaceAndDeployment(String ref) {
      int slash = ref.indexOf('/');
      if (slash <= 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) {
        throw new BadInputException(
            "NAMESPACE/DEPLOYMENT: '" + ref + "' is not namespace/deployment (e.g. shop/web)");
      }
      return new String[] {ref.substring(0, slash), ref.substring(slash + 1)};
    }

    /** An {@code --analysis FILE}: an AnalysisTemplate as JSON. */
    static AnalysisTemplate analysisFile(Path analysis) {
      try {
        return JSON.readValue(Files.readString(analysis), AnalysisTemplate.class);
      } catch (NoSuchFileException e) {
        throw new BadInputException("--analysis: no file " + analysis);
      } catch (IOException e) {
        throw new BadInputException(
            "--analysis: " + analysis + " is not an AnalysisTemplate (" + firstLine(e) + ")");
      }
    }

    /** A duration as 90s, 5m, 1h or ISO-8601 (PT5M); anything else names the option. */
    static Duration duration(String option, String text) {
      String t = text.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (t.startsWith("pt") || t.startsWith("p")) {
          return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        if (t.matches("\\d+(ms|s|m|h)")) {
          long n = Long.parseLong(t.replaceAll("\\D", ""));
          return t.endsWith("ms")
              ? Duration.ofMillis(n)
              : t.endsWith("s")
                  ? Duration.ofSeconds(n)
                  : t.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
        }
      } catch (RuntimeException e) {
        // falls through to the refusal below
      }
      throw new BadInputException(
          option + ": '" + text + "' is not a duration (e.g. 90s, 5m, 1h or PT5M)");
    }

    /** A request problem ("target.image: ...") in the words of the option that sets it. */
    static String option(String problem) {
      return problem
          .replaceFirst("^target\\.namespace:", "NAMESPACE/DEPLOYMENT: namespace:")
          .replaceFirst("^target\\.deployment:", "NAMESPACE/DEPLOYMENT: deployment:")
          .replaceFirst("^target\\.service:", "--service:")
          .replaceFirst("^target\\.image:", "--image:")
          .replaceFirst("^target\\.container:", "--container:")
          .replaceFirst("^steps\\[\\d+\\]\\.weight:", "--steps:")
          .replaceFirst("^steps\\[\\d+\\]\\.pause:", "--pause:")
          .replaceFirst("^progressDeadline:", "--deadline:")
          .replaceFirst("^router\\.route:", "--http-route:")
          .replaceFirst("^router\\.stableBackend:", "--stable-backend:")
          .replaceFirst("^router\\.canaryBackend:", "--canary-backend:")
          .replaceFirst("^router\\.service:", "--flag-service:")
          .replaceFirst("^router\\.flag:", "--flag:")
          .replaceFirst("^analysis\\.", "--analysis: ");
    }

    private static String firstLine(IOException e) {
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      return target.answer(
          this,
          RolloutDoor.start(temporal.client(), target.taskQueue, request),
          request.target(),
          ref -> "CanaryRollout of " + ref + " to " + request.target().image());
    }
  }

  @Command(
      name = "blue-green",
      mixinStandardHelpOptions = true,
      description = {
        "Start a BlueGreenDeployment of a Deployment to a new image, on workflow ID",
        "rollout-NAMESPACE.DEPLOYMENT (one rollout per Deployment; while one runs a second is",
        "refused with its ID): the preview colour behind --preview-service, analysed, then the",
        "active Service switches to it; the old colour is kept for the scale-down delay.",
        "Example: opsflow rollout blue-green shop/web --image demo/web:v2 \\",
        "           --preview-service web-preview --approve-before-switch"
      })
  static final class BlueGreen extends OperatorCommand {
    @Mixin Target target;

    @Option(
        names = "--preview-service",
        description = "the Service that reaches the preview colour (default: SERVICE-preview)")
    String previewService;

    @Option(
        names = "--analysis",
        paramLabel = "FILE",
        description =
            "the pre-promotion AnalysisTemplate as JSON (default: the preview's error rate < 1%)")
    Path analysis;

    @Option(
        names = "--post-analysis",
        paramLabel = "FILE",
        description =
            "the post-promotion AnalysisTemplate as JSON (default: the pre-promotion one)")
    Path postAnalysis;

    @Option(
        names = "--approve-before-switch",
        description = "a human approves before the active Service switches")
    boolean approveBeforeSwitch;

    @Option(
        names = "--scale-down-delay",
        paramLabel = "DURATION",
        description = "the rollback window after the switch, e.g. 30s (default: the server's)")
    String scaleDownDelay;

    @Option(
        names = "--retry-window",
        paramLabel = "DURATION",
        description = "after a rollback, how long retry is taken (default: the server's)")
    String retryWindow;

    private BlueGreenRequest request;

    @Override
    void validate() {
      RunEnvelope envelope = target.envelope();
      RolloutTarget active = target.target();
      request =
          new BlueGreenRequest(
              active,
              previewService == null
                  ? active.service() + BlueGreenRequest.PREVIEW_SUFFIX
                  : previewService,
              analysis == null ? null : analysisFile("--analysis", analysis),
              postAnalysis == null ? null : analysisFile("--post-analysis", postAnalysis),
              approveBeforeSwitch,
              scaleDownDelay == null ? null : Canary.duration("--scale-down-delay", scaleDownDelay),
              retryWindow == null ? null : Canary.duration("--retry-window", retryWindow),
              envelope);
      List<String> problems = request.problems();
      if (!problems.isEmpty()) {
        throw new BadInputException(
            String.join("; ", problems.stream().map(BlueGreen::option).toList()));
      }
    }

    private static AnalysisTemplate analysisFile(String option, Path file) {
      try {
        return Canary.analysisFile(file);
      } catch (BadInputException e) {
        throw new BadInputException(e.getMessage().replaceFirst("^--analysis:", option + ":"));
      }
    }

    /** A request problem in the words of the option that sets it. */
    static String option(String problem) {
      return Canary.option(problem)
          .replaceFirst("^previewService:", "--preview-service:")
          .replaceFirst("^postAnalysis\\.", "--post-analysis: ")
          .replaceFirst("^scaleDownDelay:", "--scale-down-delay:")
          .replaceFirst("^retryWindow:", "--retry-window:");
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      return target.answer(
          this,
          RolloutDoor.start(temporal.client(), target.taskQueue, request),
          request.target(),
          ref ->
              "BlueGreenDeployment of "
                  + ref
                  + " to "
                  + request.target().image()
                  + " (preview behind "
                  + request.previewService()
                  + ")");
    }
  }

  @Command(
      name = "ml",
      mixinStandardHelpOptions = true,
      description = {
        "Start an MlModelDeployment of a model version, on workflow ID rollout-NAMESPACE.DEPLOYMENT:",
        "validate_model on the model server (rollout.modelServerUrl; below --threshold nothing is",
        "deployed), a canary at --traffic percent watched for --monitor against production",
        "(accuracy, latency, error_rate), then a blue-green through --preview-service.",
        "Example: opsflow rollout ml demo/model --model v1 \\",
        "           --image registry.example/model-server:v1 --monitor 2m"
      })
  static final class Ml extends OperatorCommand {
    @Mixin Target target;

    @Option(
        names = "--model",
        required = true,
        paramLabel = "VERSION",
        description = "the candidate as the model server names it, e.g. v2")
    String model;

    @Option(
        names = "--preview-service",
        description = "the blue-green's preview Service (default: SERVICE-preview)")
    String previewService;

    @Option(
        names = "--threshold",
        paramLabel = "ACCURACY",
        description = "the least validation accuracy, 0-1 (default 0.92)")
    Double threshold;

    @Option(
        names = "--traffic",
        paramLabel = "PERCENT",
        description = "the canary's traffic share, 1-99 (default 5)")
    Integer traffic;

    @Option(
        names = "--monitor",
        paramLabel = "DURATION",
        description = "how long the canary is watched, e.g. 30m or PT30M (default 1800s)")
    String monitor;

    @Option(
        names = "--max-rollback",
        paramLabel = "DURATION",
        description = "a rollback longer than this escalates (default 300s)")
    String maxRollback;

    @Option(
        names = "--analysis",
        paramLabel = "FILE",
        description =
            "an AnalysisTemplate as JSON (default: accuracy, latency, error_rate vs production)")
    Path analysis;

    private MlDeploymentRequest request;

    @Override
    void validate() {
      RunEnvelope envelope = target.envelope();
      request =
          new MlDeploymentRequest(
              target.target(),
              model,
              previewService,
              threshold,
              traffic,
              monitor == null ? null : Canary.duration("--monitor", monitor),
              analysis == null ? null : Canary.analysisFile(analysis),
              maxRollback == null ? null : Canary.duration("--max-rollback", maxRollback),
              envelope);
      List<String> problems = request.problems();
      if (!problems.isEmpty()) {
        throw new BadInputException(String.join("; ", problems.stream().map(Ml::option).toList()));
      }
    }

    /** A request problem in the words of the option that sets it. */
    static String option(String problem) {
      return Canary.option(problem)
          .replaceFirst("^modelVersion:", "--model:")
          .replaceFirst("^previewService:", "--preview-service:")
          .replaceFirst("^acceptanceThreshold:", "--threshold:")
          .replaceFirst("^trafficPercentage:", "--traffic:")
          .replaceFirst("^monitoringDuration:", "--monitor:")
          .replaceFirst("^maxRollbackTime:", "--max-rollback:");
    }

    @Override
    int run(TemporalConnection temporal) throws Exception {
      return target.answer(
          this,
          RolloutDoor.start(temporal.client(), target.taskQueue, request),
          request.target(),
          ref ->
              "MlModelDeployment of model "
                  + model
                  + " ("
                  + request.target().image()
                  + ") to "
                  + ref);
    }
  }

  /**
   * What every rollout start takes: the Deployment, its Service and container, the new image, who
   * asks and the task queue.
   */
  static final class Target {
    @Parameters(
        index = "0",
        paramLabel = "NAMESPACE/DEPLOYMENT",
        description = "the Deployment the rollout changes, e.g. shop/web")
    String deploymentRef;

    @Option(names = "--image", required = true, description = "the new version's image")
    String image;

    @Option(
        names = "--service",
        description = "the Service in front of it (default: the Deployment's name)")
    String service;

    @Option(names = "--container", description = "the container to change (default: the only one)")
    String container;

    @Option(names = "--by", description = "who asks (default: your login name, ${sys:user.name})")
    String by;

    @Option(
        names = "--task-queue",
        description = "task queue (default ${DEFAULT-VALUE})",
        defaultValue = TaskQueues.OPERATIONS)
    String taskQueue;

    /** Who asks, as the run records it; an empty {@code --by} is refused. */
    RunEnvelope envelope() {
      if (by != null && by.isBlank()) {
        throw new BadInputException("--by: must not be empty");
      }
      return new RunEnvelope("medium", null, OperatorCommand.byOrLogin(by), null);
    }

    /** NAMESPACE/DEPLOYMENT's two names, the Service defaulting to the Deployment's name. */
    RolloutTarget target() {
      String[] ref = Canary.namespaceAndDeployment(deploymentRef);
      return new RolloutTarget(
          ref[0], service == null ? ref[1] : service, ref[1], container, image);
    }

    /**
     * Answers a start of a rollout of {@code t} as every rollout start does; {@code what} says what
     * started, given NAMESPACE/DEPLOYMENT.
     */
    int answer(
        OperatorCommand command,
        RunStarted started,
        RolloutTarget t,
        java.util.function.UnaryOperator<String> what)
        throws com.fasterxml.jackson.core.JsonProcessingException {
      return answerStart(
          command,
          started,
          t.namespace(),
          t.deployment(),
          what.apply(t.namespace() + "/" + t.deployment()));
    }
  }

  /**
   * Answers a rollout start the same way for every kind: the IDs as JSON; or, when one ran already,
   * where to follow it (exit 1); or "Started {@code what}" with how to follow and steer it.
   */
  static int answerStart(
      OperatorCommand command, RunStarted started, String namespace, String deployment, String what)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("workflowId", started.workflowId());
    answer.put("runId", started.runId());
    answer.put("alreadyRunning", started.alreadyRunning());
    if (command.json) {
      command.printJson(answer);
    } else if (started.alreadyRunning()) {
      command
          .spec
          .commandLine()
          .getErr()
          .printf(
              "opsflow: a rollout of %s/%s is already running: workflowId=%s runId=%s;"
                  + " follow it with: opsflow rollout status %s%n",
              namespace, deployment, started.workflowId(), started.runId(), started.workflowId());
    } else {
      command
          .out()
          .printf(
              "Started %s  workflowId=%s  runId=%s%n"
                  + "Follow with: opsflow rollout status %s   steer with: opsflow rollout"
                  + " promote|pause|abort %s%n",
              what,
              started.workflowId(),
              started.runId(),
              started.workflowId(),
              started.workflowId());
    }
    command.out().flush();
    return started.alreadyRunning() ? OpsflowCommand.FAILED : 0;
  }
}
