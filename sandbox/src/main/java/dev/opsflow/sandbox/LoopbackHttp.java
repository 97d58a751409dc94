package dev.opsflow.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP server of a sandbox part (demo app, model server, AI service, flag server): loopback, a
 * free port, its handlers on a fixed pool of daemon threads. Not started: the part adds its
 * contexts first.
 */
public final class LoopbackHttp {
  private LoopbackHttp() {}

  /**
   * @param threadName the handler threads' name
   * @param threads how many requests it handles at once
   */
  public static HttpServer create(String threadName, int threads) {
    ExecutorService handlers =
        Executors.newFixedThreadPool(threads, DaemonThreads.named(threadName));
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      handlers.shutdownNow();
      throw new UncheckedIOException(e);
    }
    server.setExecutor(handlers);
    return server;
  }

  /** Stops {@code server} at once and ends its handler threads. */
  public static void stop(HttpServer server) {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
