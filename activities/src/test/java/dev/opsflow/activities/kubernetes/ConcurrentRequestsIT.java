package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A busy worker has hundreds of Kubernetes calls in flight at once (200 waiting rollouts in the
 * throughput bench). Over HTTP/2 the JDK's HttpClient failed the calls past the server's stream
 * limit at once ("too many concurrent streams"); the client every opsflow activity uses answers
 * them all.
 */
class ConcurrentRequestsIT {
  private static final int CALLS = 300;

  @Test
  void threeHundredCallsAtOnceAllAnswer() throws Exception {
    try (CrudApiServer api = new CrudApiServer()) {
      api.namespace("demo");
      api.deployment("demo", "busy", 1, Map.of(), Map.of());
      ExecutorService callers = Executors.newFixedThreadPool(CALLS);
      try (KubernetesClient client =
          new KubernetesClientBuilder()
              .withConfig(KubernetesActivitiesImpl.tunedConfig(api.client.getConfiguration()))
              .build()) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
          calls.add(
              callers.submit(
                  () -> {
                    go.await();
                    return client
                        .apps()
                        .deployments()
                        .inNamespace("demo")
                        .withName("busy")
                        .get()
                        .getMetadata()
                        .getName();
                  }));
        }
        go.countDown();
        List<String> failures = new ArrayList<>();
        for (Future<String> call : calls) {
          try {
            assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo("busy");
          } catch (java.util.concurrent.ExecutionException e) {
            failures.add(String.valueOf(e.getCause()));
          }
        }
        assertThat(failures).as("calls that failed").isEmpty();
      } finally {
        callers.shutdownNow();
      }
    }
  }
}
