package dev.opsflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups for a wait on one Deployment: a watch on it releases the waiter at each event, so the
 * waiter re-reads the Deployment as soon as it changed. Where the watch cannot open (no {@code
 * watch} permission, a proxy that does not pass it) or closes, {@link #await} is a plain pause and
 * the waiter polls; a watch only ever makes the wait shorter.
 */
final class RolloutWakeups implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutWakeups.class);

  private final Semaphore changes = new Semaphore(0);
  private Watch watch;

  private RolloutWakeups() {}

  static RolloutWakeups open(Watchable<Deployment> deployment) {
    RolloutWakeups wakeups = new RolloutWakeups();
    try {
      wakeups.watch =
          deployment.watch(
              new Watcher<>() {
                @Override
                public void eventReceived(Action action, Deployment resource) {
                  wakeups.changes.release();
                }

                @Override
                public void onClose(WatcherException cause) {
                  log.debug("rollout watch closed ({}); polling", cause.getMessage());
                }
              });
    } catch (KubernetesClientException e) {
      log.debug("rollout watch not opened ({}); polling", e.getMessage());
    }
    return wakeups;
  }

  /** Waits up to {@code millis}, or until the Deployment changes; drains the changes seen. */
  void await(long millis) throws InterruptedException {
    if (changes.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
      changes.drainPermits();
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
