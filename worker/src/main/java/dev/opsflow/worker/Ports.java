package dev.opsflow.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Checks a listening port before a server starts, so a clash gives a clear message, not a stack
 * trace.
 */
public final class Ports {
  private Ports() {}

  /**
   * @param what the server's name for the message, e.g. "Temporal service"
   * @param option the CLI option that changes the port, e.g. "--temporal-port"
   */
  public static void requireFree(String what, String host, int port, String option) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new PortInUseException(what, host, port, option);
    }
  }

  /** A port that is free now (for tests and for "pick any port" options). */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    }
  }
}
