package dev.opsflow.worker;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.opsflow.config.OpsflowConfig;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.time.Duration;

/**
 * A client connection to a Temporal frontend: the embedded dev service, a self-hosted cluster or
 * Temporal Cloud (mTLS with a client certificate, optional CA and server-name override).
 */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String address;

  private TemporalConnection(WorkflowServiceStubs stubs, WorkflowClient client, String address) {
    this.stubs = stubs;
    this.client = client;
    this.address = address;
  }

  /**
   * Connects and checks the frontend answers within {@code timeout}, failing with a clear message.
   */
  public static TemporalConnection connect(
      OpsflowConfig.Temporal settings, Scope metricsScope, Duration timeout) {
    return connect(settings, metricsScope, timeout, null);
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
      if (!tls.serverName().isEmpty()) {
        options.setChannelInitializer(channel -> channel.overrideAuthority(tls.serverName()));
      }
    }
    WorkflowServiceStubs stubs;
    try {
      stubs = WorkflowServiceStubs.newConnectedServiceStubs(options.build(), timeout);
    } catch (RuntimeException e) {
      throw new TemporalUnavailableException(settings.address(), settings.namespace(), e);
    }
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    return new TemporalConnection(stubs, client, settings.address());
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
    stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }
}
