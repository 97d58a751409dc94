package dev.opsflow.starter;

import dev.opsflow.worker.Ports;
import dev.opsflow.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.util.Map;

/**
 * A starter under test over a Temporal that the test can take away (an outage) and bring back on
 * the same address, while the starter keeps its client and channel: the client is built as {@code
 * opsflow starter} builds it ({@link TemporalOnPort#connect}).
 */
final class StarterOverTemporalOnPort implements AutoCloseable {
  final StarterUnderTest starter;
  private final int port = Ports.free();
  private final TemporalConnection connection;
  private TemporalOnPort temporal;

  StarterOverTemporalOnPort(Map<String, String> settings) throws Exception {
    temporal = TemporalOnPort.start(port);
    try {
      connection = TemporalOnPort.connect(port);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
    try {
      starter = new StarterUnderTest(connection.client(), settings);
    } catch (RuntimeException e) {
      connection.close();
      temporal.close();
      throw e;
    }
  }

  /** The starter's own client of Temporal. */
  WorkflowClient client() {
    return connection.client();
  }

  /** Temporal goes away. */
  void stopTemporal() throws InterruptedException {
    temporal.close();
  }

  /** Temporal comes back, empty, on the same address. */
  void startTemporal() {
    temporal = TemporalOnPort.start(port);
  }

  @Override
  public void close() throws Exception {
    try {
      starter.close();
    } finally {
      try {
        connection.close();
      } finally {
        temporal.close();
      }
    }
  }
}
