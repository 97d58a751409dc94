package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.InvalidNameException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The PostgreSQL servers a failover may act on, by member name, each with the connection settings
 * of the worker's configuration. Workflows name members only, so no URL, user or password ever
 * travels through a workflow's input or history.
 */
public final class PostgresMembers {
  private final Map<String, PostgresConnector> members;

  /**
   * @param members connection settings by member name
   * @throws InvalidNameException if a name is not a member name ({@link PostgresNames#member})
   */
  public PostgresMembers(Map<String, PostgresConnector> members) {
    Map<String, PostgresConnector> checked = new TreeMap<>();
    members.forEach(
        (name, connector) -> checked.put(PostgresNames.member("postgres member", name), connector));
    this.members = Map.copyOf(checked);
  }

  /** The configured member names. */
  public Set<String> names() {
    return new java.util.TreeSet<>(members.keySet());
  }

  /**
   * The connection settings of {@code member}.
   *
   * @param field the request field that named the member, for the refusal's message
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidName} if {@code member} cannot be
   *     a member name; {@code NotConfigured} if no member of that name is configured
   */
  public PostgresConnector connector(String field, String member) {
    try {
      PostgresNames.member(field, member);
    } catch (InvalidNameException e) {
      throw FailureTypes.invalidName(e);
    }
    PostgresConnector connector = members.get(member);
    if (connector == null) {
      throw FailureTypes.notConfigured(
          field
              + " names PostgreSQL member '"
              + member
              + "', which the worker's configuration does not have (configured: "
              + String.join(", ", names())
              + ")");
    }
    return connector;
  }
}
