package dev.opsflow.starter.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per REST API call, refused ones included: when, who (caller and role, or {@code
 * anonymous}), what (method, path, action, execution), and how it ended (HTTP status, detail).
 * Lines go to the logger {@code opsflow.audit}, to the configured file (appended, so a restart
 * keeps the trail), and to a short in-memory tail that admins read through {@code GET /api/audit}.
 * Tokens and request bodies are never written.
 */
public final class AuditLog {
  public static final String LOGGER = "opsflow.audit";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL = 500;

  private final Path file;
  private final Deque<Map<String, Object>> tail = new ArrayDeque<>();

  /**
   * @param file where to append JSON lines; null or blank for the log (and the tail) only
   */
  public AuditLog(String file) {
    this.file = file == null || file.isBlank() ? null : Path.of(file);
  }

  /** One call. {@code caller} and {@code role} are null when the caller was not identified. */
  public void record(
      String caller,
      String role,
      String method,
      String path,
      String action,
      String executionId,
      int status,
      String detail) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("time", Instant.now().toString());
    entry.put("caller", caller == null ? "anonymous" : caller);
    entry.put("role", role == null ? "" : role);
    entry.put("method", method);
    entry.put("path", path);
    entry.put("action", action);
    entry.put("executionId", executionId == null ? "" : executionId);
    entry.put("status", status);
    entry.put("detail", detail == null ? "" : detail);
    String line;
    try {
      line = JSON.writeValueAsString(entry);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("audit entry not serialisable", e);
    }
    synchronized (this) {
      tail.addLast(entry);
      if (tail.size() > TAIL) {
        tail.removeFirst();
      }
      if (file != null) {
        try {
          Files.writeString(
              file,
              line + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        } catch (IOException e) {
          log.error("could not append to the audit file {}: {}", file, e.toString());
        }
      }
    }
    log.info(line);
  }

  /** The most recent entries, newest last (at most {@code limit}). */
  public synchronized List<Map<String, Object>> recent(int limit) {
    List<Map<String, Object>> all = new ArrayList<>(tail);
    return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
  }
}
