package dev.opsflow.sandbox.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxPrometheusTest {

  @Test
  void scrapesEveryTargetEverySecondUnderItsJobName() {
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("demo-app", "127.0.0.1:41000");
    targets.put("model-server", "127.0.0.1:41001");

    assertThat(SandboxPrometheus.config(targets))
        .isEqualTo(
            """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: 'demo-app'
                static_configs:
                  - targets: ['127.0.0.1:41000']
              - job_name: 'model-server'
                static_configs:
                  - targets: ['127.0.0.1:41001']
            """);
  }
}
