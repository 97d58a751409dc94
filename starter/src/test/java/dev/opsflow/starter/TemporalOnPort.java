package dev.opsflow.starter;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.worker.TemporalConnection;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Java Temporal test service on a fixed loopback port, so a test can stop it (an outage) and
 * start a new one on the same address (Temporal is back) while a client keeps its channel.
 */
public final class TemporalOnPort implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;

  private TemporalOnPort(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  public static TemporalOnPort start(int port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    try {
      return new TemporalOnPort(services, builder.build().start());
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client of the service on {@code port} as {@code opsflow starter} builds it (RPC retries for
   * 10 s), which keeps its channel while the service there stops and starts again.
   */
  public static TemporalConnection connect(int port) {
    OpsflowConfig.Temporal address =
        new OpsflowConfig.Temporal(
            "127.0.0.1:" + port, "default", new OpsflowConfig.Tls(false, "", "", "", ""));
    return TemporalConnection.connect(
        address, null, Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    services.close();
  }
}
