package dev.opsflow.contracts.remediation;

import java.util.Locale;

/**
 * Start a remediation: which procedure, on what, how urgent, under which policy, and the
 * notification that asked for it. The same problem on the same target always maps to the same
 * {@link #workflowId()}, which is how repeated and grouped notifications end up in ONE workflow.
 *
 * @param procedure remediation workflow type, e.g. {@code KafkaLagRemediation}
 * @param severity critical, high, medium or low
 * @param requestedBy who asked for the run: {@code opsflow} for alerts and watchdogs, the caller
 *     for a run started through the REST API (under four-eyes they cannot approve it themselves)
 */
public record RemediationRequest(
    String procedure,
    Target target,
    String severity,
    HealingPolicy policy,
    AlertNotice alert,
    String requestedBy) {
  /** Asked for by the automaton (an alert or a watchdog). */
  public static final String AUTOMATON = "opsflow";

  public RemediationRequest {
    requestedBy = requestedBy == null || requestedBy.isBlank() ? AUTOMATON : requestedBy;
  }

  public RemediationRequest(
      String procedure, Target target, String severity, HealingPolicy policy, AlertNotice alert) {
    this(procedure, target, severity, policy, alert, AUTOMATON);
  }

  /**
   * Longest workflow ID a problem gets (Temporal's default limit is 1,000): every valid target
   * fits; a longer key keeps a readable prefix and a hash of the whole.
   */
  public static final int MAX_WORKFLOW_ID = 900;

  /**
   * The problem's workflow ID, the same whatever the source (alert, watchdog, REST, CLI, tctl),
   * e.g. {@code heal-kafka-lag-remediation-demo/orders-consumer/orders}. Components are encoded so
   * that no two targets share an ID ({@code a/b}+{@code c} is not {@code a}+{@code b/c}), and the
   * ID is bounded. PostgreSQL connections are one problem per server (max_connections is the
   * server's), so that ID leaves the database out: the periodic check and an alert on one database
   * land in the same run.
   */
  public String workflowId() {
    String key = procedure.equals("PostgresConnectionRemediation") ? "" : target.encodedKey();
    String id = "heal-" + kebab(procedure) + (key.isEmpty() ? "" : "-" + key);
    return bounded(id);
  }

  static String bounded(String id) {
    if (id.length() <= MAX_WORKFLOW_ID) {
      return id;
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String hash = java.util.HexFormat.of().formatHex(digest, 0, 8);
      return id.substring(0, MAX_WORKFLOW_ID - hash.length() - 1) + "~" + hash;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
