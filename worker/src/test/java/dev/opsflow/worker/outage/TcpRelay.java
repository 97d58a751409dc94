package dev.opsflow.worker.outage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network between opsflow and one system, as a TCP relay on 127.0.0.1 that a test can cut and
 * restore: while cut, nothing listens on its port (a connection is refused, as from a server that
 * is down) and every connection it carried is reset; restored, it listens on the same port again
 * and forwards to the system. The system itself keeps running, with its state, like a server behind
 * a network partition that heals.
 */
final class TcpRelay implements AutoCloseable {
  private final int port;
  private final Set<Socket> carried = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile int target;
  private ServerSocket listening;
  private boolean cut;

  private TcpRelay(ServerSocket listening) {
    this.listening = listening;
    this.port = listening.getLocalPort();
    acceptOn(listening);
  }

  /** A relay on a free port, forwarding to nothing until {@link #forwardTo}. */
  static TcpRelay open() {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return new TcpRelay(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A relay to {@code 127.0.0.1:targetPort}. */
  static TcpRelay to(int targetPort) {
    TcpRelay relay = open();
    relay.forwardTo(targetPort);
    return relay;
  }

  void forwardTo(int targetPort) {
    this.target = targetPort;
  }

  int port() {
    return port;
  }

  /** Connections accepted so far (while not cut). */
  int accepted() {
    return accepted.get();
  }

  /** The system becomes unreachable: connections refused from now on, open ones reset. */
  synchronized void cut() {
    if (cut) {
      return;
    }
    cut = true;
    closeQuietly(listening);
    for (Socket socket : carried) {
      reset(socket);
    }
    carried.clear();
  }

  /** The system is reachable again, on the same port. */
  synchronized void restore() {
    if (!cut) {
      return;
    }
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listening = socket;
      cut = false;
      acceptOn(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on port " + port + " again", e);
    }
  }

  synchronized boolean isCut() {
    return cut;
  }

  private void acceptOn(ServerSocket socket) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try {
                  carry(socket.accept());
                } catch (IOException closed) {
                  return; // cut or closed: stop accepting on this socket
                }
              }
            },
            "relay-" + port + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void carry(Socket client) {
    accepted.incrementAndGet();
    Socket upstream;
    try {
      upstream = new Socket(InetAddress.getLoopbackAddress(), target);
    } catch (IOException | IllegalArgumentException e) {
      reset(client); // no target yet, or it is not there: as if nothing answered
      return;
    }
    synchronized (this) {
      if (cut) {
        reset(client);
        reset(upstream);
        return;
      }
      carried.add(client);
      carried.add(upstream);
    }
    pump(client, upstream, "up");
    pump(upstream, client, "down");
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException ended) {
                // the other side closed or the relay was cut: close both ends below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                carried.remove(from);
                carried.remove(to);
              }
            },
            "relay-" + port + "-" + direction);
    pump.setDaemon(true);
    pump.start();
  }

  /** Closes with a reset (RST), as a dropped link looks to both ends. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException alreadyClosed) {
      // nothing to reset
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception alreadyClosed) {
      // closing is all that is wanted
    }
  }

  @Override
  public synchronized void close() {
    cut();
  }
}
