package dev.opsflow.activities.diagnostics;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.kubernetes.KubernetesActivitiesImpl;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

public final class ConnectivityActivitiesImpl implements ConnectivityActivities {
  private static final int CONNECT_TIMEOUT_MILLIS = 3_000;

  private final List<ProbeTarget> targets;

  public ConnectivityActivitiesImpl(List<ProbeTarget> targets) {
    this.targets = List.copyOf(targets);
  }

  public static ConnectivityActivitiesImpl fromConfig(OpsflowConfig config) {
    List<ProbeTarget> targets = new ArrayList<>();
    targets.add(new ProbeTarget("temporal", config.temporal().address()));
    targets.add(
        new ProbeTarget(
            "kubernetes", KubernetesActivitiesImpl.clusterConfig(config).getMasterUrl()));
    targets.add(new ProbeTarget("kafka", config.kafka().bootstrapServers().split(",")[0].trim()));
    targets.add(new ProbeTarget("postgres", config.postgres().url()));
    targets.add(new ProbeTarget("prometheus", config.prometheus().url()));
    return new ConnectivityActivitiesImpl(targets);
  }

  @Override
  public List<ProbeTarget> configuredTargets() {
    return targets;
  }

  @Override
  public ProbeResult probe(ProbeTarget target) {
    InetSocketAddress address = socketAddress(target.endpoint());
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(address, CONNECT_TIMEOUT_MILLIS);
      return new ProbeResult(target.system(), target.endpoint(), true, elapsedMillis(start), null);
    } catch (IOException e) {
      return new ProbeResult(
          target.system(),
          target.endpoint(),
          false,
          elapsedMillis(start),
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Accepts host:port, http(s) URLs and jdbc: URLs. */
  static InetSocketAddress socketAddress(String endpoint) {
    String e = endpoint == null ? "" : endpoint.trim();
    if (e.startsWith("jdbc:")) {
      e = e.substring("jdbc:".length());
    }
    try {
      if (e.contains("://")) {
        URI uri = URI.create(e);
        int port = uri.getPort();
        if (port < 0) {
          port =
              switch (uri.getScheme()) {
                case "https" -> 443;
                case "http" -> 80;
                case "postgresql" -> 5432;
                default -> throw new IllegalArgumentException("no port");
              };
        }
        if (uri.getHost() == null) {
          throw new IllegalArgumentException("no host");
        }
        return new InetSocketAddress(uri.getHost(), port);
      }
      int colon = e.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("no port");
      }
      return new InetSocketAddress(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1)));
    } catch (IllegalArgumentException ex) {
      throw FailureTypes.invalidInput(
          "endpoint '"
              + endpoint
              + "' is not host:port or a URL with a host ("
              + ex.getMessage()
              + ")");
    }
  }
}
