package dev.opsflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.dev.EmbeddedTemporalService;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SearchAttributeSetupIT {
  private static WorkflowOptions withPhase(String id, SearchAttributeKey<String> key) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue("nobody-polls")
        .setWorkflowId(id)
        .setTypedSearchAttributes(SearchAttributes.newBuilder().set(key, "ACTING").build())
        .build();
  }

  @Test
  void registersOpsflowAttributesOnTheEmbeddedServiceOnceAndTheServiceThenAcceptsThem() {
    try (EmbeddedTemporalService temporal = EmbeddedTemporalService.start("127.0.0.1", 0);
        TemporalConnection connection =
            TemporalConnection.connect(
                new OpsflowConfig.Temporal(
                    temporal.target(), "default", OpsflowConfig.defaults().temporal().tls()),
                null,
                Duration.ofSeconds(5))) {
      WorkflowClient client = connection.client();
      WorkflowStub before =
          client.newUntypedWorkflowStub(
              "ConnectivityCheck", withPhase("before", OpsflowSearchAttributes.PHASE));
      // Unregistered attributes are refused by the service: this is what the setup prevents.
      assertThatThrownBy(() -> before.start()).rootCause().hasMessageContaining("OpsflowPhase");

      SearchAttributeSetup.ensure(client);
      SearchAttributeSetup.ensure(client); // a restart of the worker finds them already there

      WorkflowStub after =
          client.newUntypedWorkflowStub(
              "ConnectivityCheck", withPhase("after", OpsflowSearchAttributes.PHASE));
      after.start();
      assertThat(after.describe().getTypedSearchAttributes().get(OpsflowSearchAttributes.PHASE))
          .isEqualTo("ACTING");
      after.terminate("test done");
    }
  }
}
