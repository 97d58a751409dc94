package dev.opsflow.worker;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.opsflow.config.OpsflowConfig;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A client connection to a Temporal frontend: the embedded dev service, a self-hosted cluster or
 * Temporal Cloud (mTLS with a client certificate, optional CA and server-name override).
 */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String address;
  private final EventLoopGroup ownLoop;

  private TemporalConnection(
      WorkflowServiceStubs stubs, WorkflowClient client, String address, EventLoopGroup ownLoop) {
    this.stubs = stubs;
    this.client = client;
    this.address = address;
    this.ownLoop = ownLoop;
  }

  /**
   * Connects and checks the frontend answers within {@code timeout}, failing with a clear message.
   */
  public static TemporalConnection connect(
      OpsflowConfig.Temporal settings, Scope metricsScope, Duration timeout) {
    return connect(settings, metricsScope, timeout, null, false);
  }

  /**
   * A connection for one short call (the CLI's verbs), whose process exits right after {@link
   * #close}. It gets a network thread of its own, stopped by {@code close}: on the shared one gRPC
   * keeps for a second after the last channel goes, the JVM (17) waits 300 ms at exit for the
   * thread blocked in the kernel's poll, a third of a {@code status} call.
   */
  public static TemporalConnection connectForOneCall(
      OpsflowConfig.Temporal settings, Duration timeout) {
    return connect(settings, null, timeout, null, true);
  }

  /**
   * @param rpcRetryBudget how long one client call keeps retrying while the frontend is unavailable
   *     (null: the SDK's default of about a minute). The starter uses a short budget so that the
   *     webhook answers 503 quickly and Alertmanager retries, instead of holding a thread.
   */
  public static TemporalConnection connect(
      OpsflowConfig.Temporal settings,
      Scope metricsScope,
      Duration timeout,
      Duration rpcRetryBudget) {
    return connect(settings, metricsScope, timeout, rpcRetryBudget, false);
  }

  private static TemporalConnection connect(
      OpsflowConfig.Temporal settings,
      Scope metricsScope,
      Duration timeout,
      Duration rpcRetryBudget,
      boolean oneCall) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(settings.address())
            .setMetricsScope(metricsScope == null ? new NoopScope() : metricsScope);
    if (rpcRetryBudget != null) {
      options.setRpcRetryOptions(
          RpcRetryOptions.newBuilder().setExpiration(rpcRetryBudget).build());
    }
    OpsflowConfig.Tls tls = settings.tls();
    if (tls.active()) {
      options.setSslContext(sslContext(tls));
    }
    String serverName = tls.active() ? tls.serverName() : "";
    // NIO, not epoll: nothing to unpack and load from the jar before the first call.
    EventLoopGroup loop =
        oneCall ? new NioEventLoopGroup(1, new DefaultThreadFactory("opsflow-cli-io", true)) : null;
    if (!serverName.isEmpty() || loop != null) {
      options.setChannelInitializer(
          channel -> {
            if (!serverName.isEmpty()) {
              channel.overrideAuthority(serverName);
            }
            if (loop != null) {
              ((NettyChannelBuilder) channel)
                  .eventLoopGroup(loop)
                  .channelType(NioSocketChannel.class);
            }
          });
    }
    WorkflowServiceStubs stubs;
    try {
      stubs = WorkflowServiceStubs.newConnectedServiceStubs(options.build(), timeout);
    } catch (RuntimeException e) {
      if (loop != null) {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      }
      throw new TemporalUnavailableException(settings.address(), settings.namespace(), e);
    }
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    return new TemporalConnection(stubs, client, settings.address(), loop);
  }

  private static SslContext sslContext(OpsflowConfig.Tls tls) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (!tls.serverCa().isEmpty()) {
        builder.trustManager(new File(tls.serverCa()));
      }
      if (!tls.clientCert().isEmpty()) {
        builder.keyManager(new File(tls.clientCert()), new File(tls.clientKey()));
      }
      return builder.build();
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "temporal.tls: cannot load the client certificate/key or CA ("
              + e.getClass().getSimpleName()
              + "); check that the files are PEM and the key is PKCS8",
          e);
    }
  }

  public WorkflowClient client() {
    return client;
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public String address() {
    return address;
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, TimeUnit.SECONDS);
    if (ownLoop != null) {
      ownLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
  }
}
