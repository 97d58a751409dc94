package dev.opsflow.dev;

import dev.opsflow.worker.PortInUseException;
import dev.opsflow.worker.Ports;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Java Temporal service from temporal-testing, served over real gRPC so any Temporal client
 * (SDKs, tctl, the temporal CLI) can connect. Time runs in real time. State lives in memory only:
 * like {@code temporal server start-dev} without a database file, everything is gone after a
 * restart, so production use needs a real Temporal cluster.
 *
 * <p>Unlike {@code TestServer.createPortBoundServer}, which listens on every interface, this binds
 * the host it is given (127.0.0.1 by default): the dev service has no authentication.
 */
public final class EmbeddedTemporalService implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;
  private final String host;

  private EmbeddedTemporalService(TestServicesStarter services, Server server, String host) {
    this.services = services;
    this.server = server;
    this.host = host;
  }

  public static EmbeddedTemporalService start(String host, int port) {
    Ports.requireFree("The embedded Temporal service", host, port, "--temporal-port");
    // true = time skipping locked: timers fire in real time, as on a real cluster.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    TimeLockLog.bound(services);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    try {
      return new EmbeddedTemporalService(services, builder.build().start(), host);
    } catch (IOException e) {
      services.close();
      throw new PortInUseException("The embedded Temporal service", host, port, "--temporal-port");
    }
  }

  /** How many lock events the service's timer keeps (0 once bounded; see {@link TimeLockLog}). */
  int lockEventsKept() {
    return TimeLockLog.size(services);
  }

  /** The {@code host:port} clients connect to. */
  public String target() {
    return host + ":" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
