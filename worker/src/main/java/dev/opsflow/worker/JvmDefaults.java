package dev.opsflow.worker;

/**
 * What an opsflow process sets in its JVM before anything else runs: the first statement of each
 * {@code main}.
 */
public final class JvmDefaults {
  /** The JVM's own property: threads of {@code ForkJoinPool.commonPool()}. */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private JvmDefaults() {}

  /**
   * Gives the common pool at least two threads, unless the property is set already (by {@code -D},
   * which then wins). The JVM sizes it at one fewer than the CPUs it sees, so on a machine or pod
   * of two CPUs or fewer it has one, and {@code CompletableFuture} then runs every async stage
   * without an executor of its own on a new thread. The JDK's {@code HttpClient} with an executor
   * (fabric8's Kubernetes client has one) completes each response that way: every request to the
   * Kubernetes API started and ended a thread (20,517 threads in the 137 s of one ingestion bench
   * round on two cores, and 5-7% of the CPU in a profile of its starter-alone phase). Takes effect
   * only before the common pool is first used, hence the first statement of {@code main}.
   */
  public static void apply() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors() - 1);
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(threads));
    }
  }
}
