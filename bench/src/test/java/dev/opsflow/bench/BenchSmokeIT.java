package dev.opsflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The one bench run of the normal build: one round of the smallest ingestion and end-to-end case,
 * with tiny counts, on the real sandbox and embedded stack. It proves the runner measures both
 * sides, that the remediation it timed really restarted the Deployment (the bench refuses a round
 * otherwise and exits 1), that the warm-up round before it is left out of every figure and
 * distribution, and that it writes valid JSON, the Markdown table and a PNG.
 */
class BenchSmokeIT {
  @Test
  void oneTinyRoundWritesPairedFiguresAsJsonAndAChart(@TempDir Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    int exit =
        new CommandLine(new OpsflowBench())
            .execute("--tiny", "--rounds", "1", "--only", "ingestion,e2e", "--out", out.toString());

    assertThat(exit).as("every round measured").isZero();
    JsonNode json = Results.JSON.readTree(out.resolve("bench.json").toFile());
    assertThat(json.path("run").path("rounds").asInt()).isEqualTo(1);
    assertThat(json.path("run").path("warmupRounds").asInt()).as("the default").isEqualTo(1);
    assertThat(json.path("findings")).isEmpty();
    List<String> names = new ArrayList<>();
    for (JsonNode f : json.path("figures")) {
      names.add(f.path("benchmark").asText() + ": " + f.path("figure").asText());
      assertThat(f.path("opsflow").path("rounds")).hasSize(1);
      assertThat(f.path("bare").path("rounds")).as(f.toString()).hasSize(1);
    }
    assertThat(names)
        .contains(
            "1 webhook ingestion: accepted per second at 20/s",
            "1 webhook ingestion: p99 of the answer at 20/s",
            "3 remediation end to end: p50 alert -> applied -> verified");
    JsonNode accepted = figure(json, "accepted per second at 20/s");
    assertThat(accepted.path("opsflow").path("median").asDouble()).isPositive();
    assertThat(accepted.path("bare").path("median").asDouble()).isPositive();
    JsonNode e2e = figure(json, "p50 alert -> applied -> verified");
    assertThat(e2e.path("verdict").asText()).isIn("PASS", "MISS");
    assertThat(e2e.path("ratio").asDouble()).isPositive();
    assertThat(json.path("distributions").path("remediation · opsflow").path("count").asInt())
        .isEqualTo(1);

    BufferedImage chart = ImageIO.read(out.resolve("latency.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(1200);
    assertThat(out.resolve("bench.md")).content().contains("| 3 remediation end to end |");
  }

  private static JsonNode figure(JsonNode json, String name) {
    for (JsonNode f : json.path("figures")) {
      if (f.path("figure").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no figure " + name + " in " + json);
  }
}
