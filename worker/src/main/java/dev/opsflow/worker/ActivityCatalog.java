package dev.opsflow.worker;

import dev.opsflow.activities.diagnostics.ConnectivityActivitiesImpl;
import dev.opsflow.config.OpsflowConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Every activity implementation the worker registers, built from the configuration. Clients that
 * hold connections (Kafka admin, Kubernetes) are closed with the catalog.
 */
public final class ActivityCatalog implements AutoCloseable {
  private final List<Object> implementations;

  public ActivityCatalog(List<Object> implementations) {
    this.implementations = List.copyOf(implementations);
  }

  public static ActivityCatalog fromConfig(OpsflowConfig config) {
    List<Object> impls = new ArrayList<>();
    impls.add(ConnectivityActivitiesImpl.fromConfig(config));
    return new ActivityCatalog(impls);
  }

  public List<Object> implementations() {
    return implementations;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (Object impl : implementations) {
      if (impl instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
