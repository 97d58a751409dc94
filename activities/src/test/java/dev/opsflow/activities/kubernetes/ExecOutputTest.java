package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecOutputTest {
  @Test
  void onlyExitZeroIsSuccess() {
    assertThat(new ExecOutput("p", 0, "", "").succeeded()).isTrue();
    assertThat(new ExecOutput("p", 1, "", "").succeeded()).isFalse();
    assertThat(new ExecOutput("p", 137, "", "").succeeded()).isFalse();
    assertThat(new ExecOutput("p", ExecOutput.NO_EXIT_STATUS, "", "").succeeded()).isFalse();
  }

  @Test
  void failedListsEveryPodThatDidNotSucceedInOrder() {
    ExecOutput a = new ExecOutput("a", 0, "", "");
    ExecOutput b = new ExecOutput("b", 2, "", "no such file");
    ExecOutput c = new ExecOutput("c", ExecOutput.NO_EXIT_STATUS, "", "");
    assertThat(ExecOutput.failed(List.of(a, b, c))).containsExactly(b, c);
    assertThat(ExecOutput.failed(List.of(a))).isEmpty();
    assertThat(b.outcome()).isEqualTo("pod b exited 2");
    assertThat(c.outcome()).isEqualTo("pod c ended without an exit status");
  }

  @Test
  void travelsThroughTemporalAsItsFourFieldsOnly() {
    var converter = DefaultDataConverter.STANDARD_INSTANCE;
    ExecOutput output = new ExecOutput("web-1", 1, "out", "err");
    var payload = converter.toPayload(output).orElseThrow();
    String json = payload.getData().toString(StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("succeeded", "outcome");
    assertThat(converter.fromPayload(payload, ExecOutput.class, ExecOutput.class))
        .isEqualTo(output);
  }
}
