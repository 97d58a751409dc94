package dev.opsflow.starter.planted;

import dev.opsflow.cli.planted.LagCommand;
import dev.opsflow.workflows.planted.DirectKafkaLagCheck;
import dev.opsflow.workflows.planted.LagCheck;
import dev.opsflow.workflows.planted.LagReport;

/**
 * Planted: an HTTP handler that runs a workflow implementation in-process instead of starting the
 * workflow through its interface. Its use of the interface and the record is allowed. It also
 * borrows from a CLI verb that borrows from it: a planted cycle between the two areas.
 */
public class LagEndpoint {
  public LagReport check(String consumerGroup) {
    LagCheck check = new DirectKafkaLagCheck();
    return check.check(consumerGroup);
  }

  public long since(long startMillis) {
    return new LagCommand().since(startMillis, null);
  }
}
