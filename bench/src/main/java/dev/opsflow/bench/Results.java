package dev.opsflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a bench run measured: the figures of the table, the latency distributions behind the
 * chart, and findings in words. Written as JSON, a Markdown table and a PNG chart.
 */
final class Results {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Figure> figures = new LinkedHashMap<>();
  private final Map<String, Samples> distributions = new LinkedHashMap<>();
  private final List<String> findings = new ArrayList<>();

  /** How a finding is printed as it is made. */
  private final String sayAs;

  Results() {
    this("FINDING: ");
  }

  private Results(String sayAs) {
    this.sayAs = sayAs;
  }

  /** Results of warm-up rounds: thrown away, and their findings printed as not recorded. */
  static Results ofWarmUp() {
    return new Results("warm-up finding (not recorded): ");
  }

  /** The figure of that benchmark and name, made on first use. */
  synchronized Figure figure(String benchmark, String name, String unit) {
    return figures.computeIfAbsent(benchmark + "|" + name, k -> new Figure(benchmark, name, unit));
  }

  /** The merged latencies of one series over all rounds, for the chart. */
  synchronized Samples distribution(String series) {
    return distributions.computeIfAbsent(series, k -> new Samples());
  }

  synchronized void finding(String text) {
    findings.add(text);
    Progress.say(sayAs + text);
  }

  synchronized List<Figure> figures() {
    return List.copyOf(figures.values());
  }

  synchronized Map<String, Samples> distributions() {
    return Map.copyOf(distributions);
  }

  synchronized List<String> findings() {
    return List.copyOf(findings);
  }

  /** The JSON document: the run's settings, the machine, every figure and distribution. */
  synchronized ObjectNode toJson(Map<String, Object> run) {
    ObjectNode root = JSON.createObjectNode();
    root.set("run", JSON.valueToTree(run));
    ArrayNode list = root.putArray("figures");
    for (Figure f : figures.values()) {
      ObjectNode n = list.addObject();
      n.put("benchmark", f.benchmark);
      n.put("figure", f.name);
      n.put("unit", f.unit);
      n.set("opsflow", side(f.opsflow));
      if (!f.bare.isEmpty()) {
        n.set("bare", side(f.bare));
        putNumber(n, "ratio", f.ratio());
      }
      if (!f.goal().isEmpty()) {
        n.put("goal", f.goal());
        n.put("verdict", f.verdict());
      }
    }
    ObjectNode dist = root.putObject("distributions");
    distributions.forEach(
        (series, s) -> {
          ObjectNode d = dist.putObject(series);
          d.put("count", s.count());
          putNumber(d, "p50Ms", s.p50());
          putNumber(d, "p90Ms", s.quantile(0.90));
          putNumber(d, "p99Ms", s.p99());
          putNumber(d, "maxMs", s.max());
        });
    ArrayNode notes = root.putArray("findings");
    findings.forEach(notes::add);
    return root;
  }

  private static ObjectNode side(List<Double> rounds) {
    ObjectNode n = JSON.createObjectNode();
    ArrayNode r = n.putArray("rounds");
    rounds.forEach(v -> r.add(Double.isNaN(v) ? null : round(v)));
    putNumber(n, "min", Figure.min(rounds));
    putNumber(n, "median", Figure.median(rounds));
    putNumber(n, "max", Figure.max(rounds));
    return n;
  }

  private static void putNumber(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, round(v));
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The table as Markdown (the README's Performance section takes it as it is). */
  synchronized String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(
        "| benchmark | figure | opsflow min / median / max | bare Temporal min / median / max"
            + " | ratio | goal | |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Figure f : figures.values()) {
      md.append("| ")
          .append(f.benchmark)
          .append(" | ")
          .append(f.name)
          .append(" | ")
          .append(triple(f.opsflow, f.unit))
          .append(" | ")
          .append(f.bare.isEmpty() ? "-" : triple(f.bare, f.unit))
          .append(" | ")
          .append(Double.isNaN(f.ratio()) ? "-" : format(f.ratio()) + "x")
          .append(" | ")
          .append(f.goal().isEmpty() ? "-" : f.goal())
          .append(" | ")
          .append(f.verdict().isEmpty() ? "" : "**" + f.verdict() + "**")
          .append(" |\n");
    }
    return md.toString();
  }

  /** The table for a terminal. */
  synchronized String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "BENCHMARK", "FIGURE", "OPSFLOW min/med/max", "BARE min/med/max", "RATIO", "GOAL", ""
        });
    for (Figure f : figures.values()) {
      rows.add(
          new String[] {
            f.benchmark,
            f.name,
            triple(f.opsflow, f.unit),
            f.bare.isEmpty() ? "-" : triple(f.bare, f.unit),
            Double.isNaN(f.ratio()) ? "-" : format(f.ratio()) + "x",
            f.goal().isEmpty() ? "-" : f.goal(),
            f.verdict()
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        out.append(String.format(Locale.ROOT, "%-" + width[i] + "s  ", row[i]));
      }
      out.append('\n');
    }
    return out.toString();
  }

  static String triple(List<Double> values, String unit) {
    if (values.isEmpty()) {
      return "-";
    }
    return format(Figure.min(values))
        + " / "
        + format(Figure.median(values))
        + " / "
        + format(Figure.max(values))
        + " "
        + unit;
  }

  /** Three significant digits at most, no exponent: 0.123, 12.3, 1234. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  void write(Path dir, Map<String, Object> run) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("bench.json").toFile(), toJson(run));
    Files.writeString(dir.resolve("bench.md"), markdown());
    LatencyChart.write(distributions(), dir.resolve("latency.png"));
  }
}
