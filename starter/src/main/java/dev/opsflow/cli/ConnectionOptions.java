package dev.opsflow.cli;

import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every verb shares: which config file, and where Temporal is. A flag wins over its
 * environment variable, which wins over the file.
 */
public final class ConnectionOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "opsflow.yaml to read (default: $OPSFLOW_CONFIG, else ./opsflow.yaml if present)")
  Path config;

  @Option(
      names = "--temporal-address",
      paramLabel = "HOST:PORT",
      description = "Temporal frontend (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)")
  String address;

  @Option(
      names = "--namespace",
      description = "Temporal namespace (env TEMPORAL_NAMESPACE, default 'default')")
  String namespace;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "mTLS client certificate (env TEMPORAL_TLS_CERT)")
  String tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "mTLS client key, PKCS8 (env TEMPORAL_TLS_KEY)")
  String tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "CA of the server certificate (env TEMPORAL_TLS_CA)")
  String tlsCa;

  @Option(
      names = "--tls-server-name",
      description = "TLS server name override (env TEMPORAL_TLS_SERVER_NAME)")
  String tlsServerName;

  /** Reads the file, the environment and these flags into one validated configuration. */
  public OpsflowConfig load() {
    return load(Map.of());
  }

  /**
   * @param overrides settings that win over the file and the environment (the dev sandbox's), but
   *     not over flags given on the command line
   */
  public OpsflowConfig load(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(overrides);
    putIfSet(env, "TEMPORAL_ADDRESS", address);
    putIfSet(env, "TEMPORAL_NAMESPACE", namespace);
    putIfSet(env, "TEMPORAL_TLS_CERT", tlsCert);
    putIfSet(env, "TEMPORAL_TLS_KEY", tlsKey);
    putIfSet(env, "TEMPORAL_TLS_CA", tlsCa);
    putIfSet(env, "TEMPORAL_TLS_SERVER_NAME", tlsServerName);
    return ConfigLoader.load(configFile(env), env);
  }

  private Path configFile(Map<String, String> env) {
    if (config != null) {
      if (!Files.isReadable(config)) {
        throw new BadInputException(
            "--config: file " + config + " does not exist or is not readable");
      }
      return config;
    }
    String fromEnv = env.get("OPSFLOW_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path p = Path.of(fromEnv);
      if (!Files.isReadable(p)) {
        throw new BadInputException(
            "OPSFLOW_CONFIG: file " + p + " does not exist or is not readable");
      }
      return p;
    }
    Path local = Path.of("opsflow.yaml");
    return Files.isReadable(local) ? local : null;
  }

  private static void putIfSet(Map<String, String> env, String key, String value) {
    if (value != null) {
      env.put(key, value);
    }
  }
}
