package dev.opsflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.opsflow.worker.TemporalConnection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A verb that talks to Temporal as a client: connects, does one thing, prints a table or JSON. */
abstract class OperatorCommand implements Callable<Integer> {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  @Mixin ConnectionOptions connection;

  @Option(names = "--json", description = "print JSON instead of a table")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    validate();
    Integer answered = withoutTemporal();
    if (answered != null) {
      return answered;
    }
    try (TemporalConnection temporal =
        TemporalConnection.connectForOneCall(connection.load().temporal(), Duration.ofSeconds(5))) {
      return run(temporal);
    }
  }

  /** Checks the arguments before connecting, so a typo never waits on the network. */
  void validate() {}

  /**
   * The exit code when this verb answers without a Temporal client (through the starter's REST
   * API), or null to connect to Temporal and {@link #run}.
   */
  Integer withoutTemporal() throws Exception {
    return null;
  }

  abstract int run(TemporalConnection temporal) throws Exception;

  /** Who acts: {@code --by} when given, else the login name. */
  static String byOrLogin(String by) {
    return by != null && !by.isBlank() ? by : System.getProperty("user.name");
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  void printJson(Object value) throws JsonProcessingException {
    out().println(JSON.writeValueAsString(value));
    out().flush();
  }

  /** Parses a JSON option; a syntax error names the option and where the error is. */
  static JsonNode parseJson(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          option
              + ": not valid JSON ("
              + e.getOriginalMessage()
              + " at column "
              + e.getLocation().getColumnNr()
              + ")");
    }
  }
}
