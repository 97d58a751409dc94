package dev.opsflow.contracts.remediation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import java.util.Locale;
import java.util.Map;

/**
 * Start a remediation: which procedure, on what, the run envelope every family shares (severity,
 * notification, requester, human policy), and any limits the caller tightens. The same problem on
 * the same target always maps to the same {@link #workflowId()}, which is how repeated and grouped
 * notifications end up in ONE workflow.
 *
 * <p>On the wire (what a tctl user types) {@code target} is a flat object of the procedure's target
 * fields, and the envelope may be given as {@code run} or flat ({@code severity}, {@code alert},
 * {@code requestedBy}), as inputs were before the envelope existed:
 *
 * <pre>{"procedure":"CrashLoopRemediation","severity":"high",
 *  "target":{"namespace":"demo","deployment":"payments"}}</pre>
 *
 * @param procedure remediation workflow type, e.g. {@code KafkaLagRemediation}
 * @param target what it acts on, the record of the procedure's kind
 * @param run severity, notification, requester and human policy
 * @param limits limits tightened by the caller; null = the server's
 * @param policy a whole policy, as inputs carried it before {@code limits}: read as limits to
 *     tighten (never loosen), and as the policy of runs started before the policy was the server's
 *     when their histories replay. New inputs leave it out.
 * @param carried set only on a run that continues an earlier one as new (its history had grown past
 *     the bound): where that run stopped and everything it knew; null on every first run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemediationRequest(
    String procedure,
    Target target,
    RunEnvelope run,
    RemediationLimits limits,
    HealingPolicy policy,
    RemediationCarry carried) {
  /** Asked for by the automaton (an alert or a watchdog). */
  public static final String AUTOMATON = RunEnvelope.AUTOMATON;

  public RemediationRequest {
    run = run == null ? new RunEnvelope(null, null, null, null) : run;
    target = target == null ? Target.of(procedure, Map.of()) : target;
  }

  /** A first run (nothing carried from an earlier run of the chain). */
  public RemediationRequest(
      String procedure,
      Target target,
      RunEnvelope run,
      RemediationLimits limits,
      HealingPolicy policy) {
    this(procedure, target, run, limits, policy, null);
  }

  /** A run an alert, a watchdog or an operator asked for, under the server's limits. */
  public RemediationRequest(
      String procedure, Target target, String severity, AlertNotice alert, String requestedBy) {
    this(procedure, target, new RunEnvelope(severity, alert, requestedBy, null), null, null);
  }

  /** Reads both the envelope and the flat form (see the class comment); never throws. */
  @JsonCreator
  static RemediationRequest fromJson(
      @JsonProperty("procedure") String procedure,
      @JsonProperty("target") Map<String, String> target,
      @JsonProperty("run") RunEnvelope run,
      @JsonProperty("limits") RemediationLimits limits,
      @JsonProperty("policy") HealingPolicy policy,
      @JsonProperty("severity") String severity,
      @JsonProperty("alert") AlertNotice alert,
      @JsonProperty("requestedBy") String requestedBy,
      @JsonProperty("carried") RemediationCarry carried) {
    RunEnvelope envelope = run != null ? run : new RunEnvelope(severity, alert, requestedBy, null);
    return new RemediationRequest(
        procedure, Target.of(procedure, target), envelope, limits, policy, carried);
  }

  /** The same request with these limits. */
  public RemediationRequest withLimits(RemediationLimits tightened) {
    return new RemediationRequest(procedure, target, run, tightened, policy, carried);
  }

  /** The input of the run that continues this one as new, carrying {@code state}. */
  public RemediationRequest continuedWith(RemediationCarry state) {
    return new RemediationRequest(procedure, target, run, limits, policy, state);
  }

  public String severity() {
    return run.severity();
  }

  public AlertNotice alert() {
    return run.alert();
  }

  public String requestedBy() {
    return run.requestedBy();
  }

  /** The target as the record its procedure acts on. */
  public <T extends Target> T target(Class<T> kind) {
    if (!kind.isInstance(target)) {
      throw new IllegalArgumentException(
          procedure + " acts on a " + kind.getSimpleName() + ", not " + target);
    }
    return kind.cast(target);
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
    String key = target instanceof DatabaseTarget ? "" : target.encodedKey();
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
