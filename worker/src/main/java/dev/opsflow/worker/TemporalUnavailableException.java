package dev.opsflow.worker;

/**
 * The Temporal frontend could not be reached; says where opsflow looked and how to point it
 * elsewhere.
 */
public final class TemporalUnavailableException extends RuntimeException {
  public TemporalUnavailableException(String address, String namespace, Throwable cause) {
    super(
        "cannot reach Temporal at "
            + address
            + " (namespace "
            + namespace
            + "): "
            + cause.getMessage()
            + ". Start it with './opsflow dev', or point opsflow at your cluster with"
            + " --temporal-address / TEMPORAL_ADDRESS.",
        cause);
  }
}
