package dev.opsflow.starter.http;

import dev.opsflow.activities.Printable;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body within bounds, so that a client cannot hold one of the server's threads or
 * its memory: at most {@code maxBytes} (413, refused from Content-Length before a byte is read when
 * it says more), at most {@code timeout} for the whole body however slowly it trickles in (then the
 * connection is closed: a client that slow gets no answer), and at most {@code concurrentReads}
 * bodies in flight on one route (503 beyond, before reading). A body cut off by the client (a
 * truncated or incomplete chunked body) is a 400, logged on one line at debug level, never with a
 * stack trace: it is the client's fault and a flood of them must not flood the log.
 *
 * <p>Routes that authenticate from a header (the webhook, the REST API) check it before calling
 * {@link #read}, so an unauthenticated client never gets this far; Slack's signature covers the
 * body, so that route relies on these bounds.
 */
public final class RequestBody {
  private static final Logger log = LoggerFactory.getLogger(RequestBody.class);

  /** Shared by every route: a timer thread that cuts off bodies past their deadline. */
  private static final ScheduledExecutorService CUT_OFF =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "opsflow-body-deadline");
            t.setDaemon(true);
            return t;
          });

  private final long maxBytes;
  private final Duration timeout;
  private final Semaphore inFlight;

  /**
   * @param maxBytes largest body accepted
   * @param timeout longest the whole body may take to arrive
   * @param concurrentReads bodies read at once on the route using this reader
   */
  public RequestBody(long maxBytes, Duration timeout, int concurrentReads) {
    this.maxBytes = maxBytes;
    this.timeout = timeout;
    this.inFlight = new Semaphore(concurrentReads);
  }

  /** A refusal of the body, with the status to answer and the reason. */
  public static final class Refused extends RuntimeException {
    private final int status;

    public Refused(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The body as UTF-8 text, after checking that the declared media type is one of {@code
   * mediaTypes} (a request without Content-Type is read as the first of them).
   *
   * @throws Refused 415 for another media type or a charset other than UTF-8, 413 when too large,
   *     400 when cut off, 503 when too many bodies are being read
   */
  public String utf8(Context ctx, String... mediaTypes) {
    requireMediaType(ctx, mediaTypes);
    byte[] raw = bytes(ctx);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Refused(400, "the request body is not valid UTF-8");
    }
  }

  /**
   * Refuses, before the body is read, a Content-Type that is not one of {@code mediaTypes} (a JSON
   * route also takes {@code application/*+json}) or declares a charset other than UTF-8.
   */
  public static void requireMediaType(Context ctx, String... mediaTypes) {
    String header = ctx.header("Content-Type");
    if (header == null || header.isBlank()) {
      return;
    }
    String[] parts = header.split(";");
    String type = parts[0].trim().toLowerCase(Locale.ROOT);
    boolean known = false;
    for (String t : mediaTypes) {
      known |=
          t.equals(type)
              || (t.equals("application/json")
                  && type.startsWith("application/")
                  && type.endsWith("+json"));
    }
    if (!known) {
      throw new Refused(
          415,
          "Content-Type "
              + Printable.quoted(parts[0].trim())
              + " is not accepted here; send "
              + String.join(" or ", mediaTypes));
    }
    for (int i = 1; i < parts.length; i++) {
      String[] param = parts[i].split("=", 2);
      if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
        String charset = param[1].trim().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
          throw new Refused(
              415,
              "Content-Type charset " + Printable.quoted(charset) + " is not accepted; send UTF-8");
        }
      }
    }
  }

  /** The raw body, read within this reader's bounds. */
  public byte[] bytes(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    if (!inFlight.tryAcquire()) {
      throw new Refused(503, "too many requests are being received at once; retry in a moment");
    }
    EndPoint endPoint = endPoint(ctx);
    ScheduledFuture<?> cutOff =
        endPoint == null
            ? null
            : CUT_OFF.schedule(
                (Runnable) endPoint::close, timeout.toMillis(), TimeUnit.MILLISECONDS);
    long started = System.nanoTime();
    try (InputStream in = ctx.req().getInputStream()) {
      ByteArrayOutputStream out =
          new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), 1 << 20));
      byte[] chunk = new byte[16 * 1024];
      int n;
      while ((n = in.read(chunk)) != -1) {
        if (out.size() + (long) n > maxBytes) {
          throw tooLarge();
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      boolean late = System.nanoTime() - started >= timeout.toNanos();
      log.debug(
          "{} {} from {}: body {} ({})",
          ctx.method(),
          ctx.path(),
          ctx.ip(),
          late ? "took too long" : "cut off",
          e.toString());
      throw late
          ? new Refused(408, "the request body took longer than " + timeout.toSeconds() + " s")
          : new Refused(400, "the request body ended early (truncated or incomplete)");
    } catch (RuntimeException e) {
      if (e instanceof Refused) {
        throw e;
      }
      // Jetty reports a malformed chunked body as a runtime BadMessageException.
      log.debug("{} {} from {}: unreadable body ({})", ctx.method(), ctx.path(), ctx.ip(), e);
      throw new Refused(400, "the request body could not be read (malformed framing)");
    } finally {
      if (cutOff != null) {
        cutOff.cancel(false);
      }
      inFlight.release();
    }
  }

  private Refused tooLarge() {
    return new Refused(
        413, "the request body is larger than " + maxBytes + " bytes (http.maxBodySize)");
  }

  /** The connection under the request, so a body past its deadline can be cut off. */
  private static EndPoint endPoint(Context ctx) {
    ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
    if (request == null || request.getConnectionMetaData().getConnection() == null) {
      return null;
    }
    return request.getConnectionMetaData().getConnection().getEndPoint();
  }
}
