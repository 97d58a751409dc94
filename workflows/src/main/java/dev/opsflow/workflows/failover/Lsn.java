package dev.opsflow.workflows.failover;

/** PostgreSQL WAL positions ({@code 16/B374D848}) as byte offsets, to compare them. */
final class Lsn {
  private Lsn() {}

  /** The position's byte offset; 0 for null or a malformed position. */
  static long bytes(String lsn) {
    if (lsn == null) {
      return 0;
    }
    int slash = lsn.indexOf('/');
    if (slash < 1) {
      return 0;
    }
    try {
      return (Long.parseLong(lsn.substring(0, slash), 16) << 32)
          + Long.parseLong(lsn.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
