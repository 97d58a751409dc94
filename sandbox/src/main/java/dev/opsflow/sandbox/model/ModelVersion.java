package dev.opsflow.sandbox.model;

import java.util.List;
import java.util.Optional;

/**
 * A version of the sandbox's model: logistic regression over four features, with weights checked in
 * here. {@code v1} is close to the boundary the data come from; {@code v2} is the worse model (it
 * underweights the second feature, overweights the third and has the fourth's sign wrong, as a
 * model trained on stale data might) and is also slower to answer.
 *
 * @param name the version, as image tags name it ({@code registry.example/model-server:v2})
 * @param weights one per feature
 * @param bias the intercept
 * @param minLatencySeconds the fastest inference
 * @param maxLatencySeconds the slowest inference
 */
public record ModelVersion(
    String name,
    double[] weights,
    double bias,
    double minLatencySeconds,
    double maxLatencySeconds) {

  public static final ModelVersion V1 =
      new ModelVersion("v1", new double[] {1.9, -1.4, 1.1, 0.45}, 0.15, 0.005, 0.020);
  public static final ModelVersion V2 =
      new ModelVersion("v2", new double[] {1.6, -0.9, 1.6, -0.4}, 0.4, 0.015, 0.045);

  /** Every version the server has. */
  public static final List<ModelVersion> ALL = List.of(V1, V2);

  /** The version named {@code name}, if the server has it. */
  public static Optional<ModelVersion> named(String name) {
    return ALL.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  /** The probability that the label is 1. */
  public double probability(double[] features) {
    if (features.length != weights.length) {
      throw new IllegalArgumentException(
          "features: " + weights.length + " values expected, got " + features.length);
    }
    double z = bias;
    for (int i = 0; i < weights.length; i++) {
      z += weights[i] * features[i];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** The predicted label: 1 when the probability is at least 0.5. */
  public int predict(double[] features) {
    return probability(features) >= 0.5 ? 1 : 0;
  }

  /** The share of the set's examples this version labels right. */
  public Evaluation evaluate(ValidationSet set) {
    int correct = 0;
    for (ValidationSet.Example e : set.examples()) {
      if (predict(e.features()) == e.label()) {
        correct++;
      }
    }
    return new Evaluation(name, set.examples().size(), correct);
  }

  /**
   * A version's result on the validation set.
   *
   * @param version the version's name
   * @param examples how many examples it was given
   * @param correct how many it labelled right
   */
  public record Evaluation(String version, int examples, int correct) {
    /** {@code correct / examples}. */
    public double accuracy() {
      return examples == 0 ? 0 : (double) correct / examples;
    }
  }
}
