package dev.opsflow.sandbox.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValidationSetGeneratorTest {

  @Test
  void theCheckedInValidationSetIsTheGeneratorsOutput() throws Exception {
    String checkedIn;
    try (InputStream in = getClass().getResourceAsStream(ValidationSet.RESOURCE)) {
      assertThat(in).as(ValidationSet.RESOURCE).isNotNull();
      checkedIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(checkedIn).isEqualTo(ValidationSetGenerator.csv());
  }

  @Test
  void theSetHasFourHundredExamplesOfBothLabels() {
    ValidationSet set = ValidationSet.load();

    assertThat(set.examples()).hasSize(ValidationSetGenerator.EXAMPLES);
    assertThat(set.examples()).allMatch(e -> e.features().length == 4);
    long ones = set.examples().stream().filter(e -> e.label() == 1).count();
    assertThat(ones).isBetween(150L, 250L);
  }
}
