package dev.opsflow.dev;

import java.lang.reflect.Field;
import java.util.LinkedList;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded service from slowing down with every run it has ever seen.
 *
 * <p>The Java test service's timer ({@code SelfAdvancingTimerImpl}) logs each lock and unlock of
 * time skipping in a {@code LinkedList} kept "for debugging purposes only". An unlock through
 * {@code updateLocks} appends an event and removes none, so the list grows by about one event per
 * workflow for as long as the service runs; and every update of a workflow (each start, signal and
 * completed task) unlocks through a handle, which removes its own event with {@code
 * LinkedList.remove(Object)}, a scan from the head, under the service's one timer lock. Measured
 * here: 801 events after 200 runs of a workflow with one timer; in a profile of the ingestion
 * benchmark that scan and the threads waiting behind it took 41% of the CPU samples. The count of
 * locks, which is what time skipping depends on, is kept apart from the list ({@code lockCount}),
 * so the list is replaced by one that keeps no events: adding is a no-op and a handle's removal
 * succeeds.
 *
 * <p>Only for the dev stack's embedded service (this module never ships in the production
 * artifact). If a later temporal-testing changes the timer's insides, the service runs as before,
 * with the growing list, and a warning says so.
 */
final class TimeLockLog {
  private static final Logger log = LoggerFactory.getLogger(TimeLockLog.class);

  private TimeLockLog() {}

  /** A lock-event log that keeps nothing: the diagnostics it served list no events. */
  static final class Unkept extends LinkedList<Object> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean add(Object event) {
      return true;
    }

    @Override
    public boolean remove(Object event) {
      return true;
    }
  }

  /**
   * Replaces the lock-event log of the timer of {@code services} (the test service's
   * TestServicesStarter, which holds the timer its services share). True when it was replaced.
   */
  static boolean bound(Object services) {
    try {
      Object timer = field(services, "selfAdvancingTimer");
      Lock lock = (Lock) field(timer, "lock");
      Field events = declared(timer.getClass(), "lockEvents");
      lock.lock();
      try {
        events.set(timer, new Unkept());
      } finally {
        lock.unlock();
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "The embedded Temporal service's timer keeps a log of every lock event, which makes it"
              + " slower with each run; it could not be replaced ({}), so a long dev session slows"
              + " down",
          e.toString());
      return false;
    }
  }

  /** The lock-event log's current size, or -1 when it cannot be read (for tests). */
  static int size(Object services) {
    try {
      return ((LinkedList<?>) field(field(services, "selfAdvancingTimer"), "lockEvents")).size();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    return declared(owner.getClass(), name).get(owner);
  }

  private static Field declared(Class<?> type, String name) throws NoSuchFieldException {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (NoSuchFieldException e) {
        // the superclass may declare it
      }
    }
    throw new NoSuchFieldException(type.getName() + "." + name);
  }
}
