package dev.opsflow.sandbox.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled examples a model version is evaluated on, read from {@value #RESOURCE} (made by
 * {@link ValidationSetGenerator}).
 *
 * @param examples in file order
 */
public record ValidationSet(List<Example> examples) {
  public static final String RESOURCE = "/dev/opsflow/sandbox/model/validation.csv";

  public ValidationSet {
    examples = List.copyOf(examples);
  }

  /**
   * One labelled example.
   *
   * @param features the four feature values
   * @param label 0 or 1
   */
  public record Example(double[] features, int label) {}

  /** The checked-in set. */
  public static ValidationSet load() {
    try (InputStream in = ValidationSet.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the validation set " + RESOURCE + " is not on the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the CSV: a header, then {@code x1,x2,x3,x4,label} lines. */
  static ValidationSet parse(String csv) {
    List<Example> examples = new ArrayList<>();
    String[] lines = csv.split("\n");
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] cells = lines[i].split(",");
      double[] features = new double[cells.length - 1];
      for (int f = 0; f < features.length; f++) {
        features[f] = Double.parseDouble(cells[f]);
      }
      examples.add(new Example(features, Integer.parseInt(cells[cells.length - 1].trim())));
    }
    return new ValidationSet(examples);
  }
}
