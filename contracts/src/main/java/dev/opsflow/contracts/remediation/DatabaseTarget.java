package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * The PostgreSQL server the connection remediation ends idle sessions on.
 *
 * @param database only sessions of this database (empty = every database of the server)
 */
public record DatabaseTarget(String database) implements Target {
  static final List<String> FIELDS = List.of("database");

  public DatabaseTarget {
    database = Target.orEmpty(database);
  }

  @Override
  public String namespace() {
    return "";
  }

  @Override
  public String deployment() {
    return "";
  }

  @Override
  public java.util.Map<String, String> fields() {
    return Target.named(FIELDS, database);
  }

  @Override
  public List<String> keyParts() {
    return Target.present(database);
  }
}
