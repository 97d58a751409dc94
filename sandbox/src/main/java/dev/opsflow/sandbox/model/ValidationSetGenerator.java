package dev.opsflow.sandbox.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Makes the model server's labelled validation set, {@value ValidationSet#RESOURCE}: {@value
 * #EXAMPLES} examples of four features drawn from a standard normal distribution, each labelled 1
 * when {@link #TRUE_WEIGHTS} · x + {@value #TRUE_BIAS} plus a little noise (σ {@value #NOISE}) is
 * positive, else 0. The seed is fixed, so the file is reproducible; {@code
 * ValidationSetGeneratorTest} proves the checked-in file is this class's output. To change the
 * data, change this class and run it with the file as its argument:
 *
 * <pre>
 * java -cp sandbox/target/classes dev.opsflow.sandbox.model.ValidationSetGenerator \
 *   sandbox/src/main/resources/dev/opsflow/sandbox/model/validation.csv
 * </pre>
 */
public final class ValidationSetGenerator {
  public static final long SEED = 20_260_514L;
  public static final int EXAMPLES = 400;

  /** The boundary the labels come from (the world the models try to learn). */
  static final double[] TRUE_WEIGHTS = {2.0, -1.5, 1.0, 0.5};

  static final double TRUE_BIAS = 0.2;
  static final double NOISE = 0.3;

  private ValidationSetGenerator() {}

  /** The file's content: a header {@code x1,x2,x3,x4,label}, then one line per example. */
  public static String csv() {
    Random random = new Random(SEED);
    StringBuilder out = new StringBuilder("x1,x2,x3,x4,label\n");
    for (int i = 0; i < EXAMPLES; i++) {
      double score = TRUE_BIAS;
      StringBuilder line = new StringBuilder();
      for (double weight : TRUE_WEIGHTS) {
        // rounded first, so the label is computed from exactly the value the file holds
        double x = Math.round(random.nextGaussian() * 10_000) / 10_000.0;
        score += weight * x;
        line.append(String.format(Locale.ROOT, "%.4f,", x));
      }
      score += NOISE * random.nextGaussian();
      out.append(line).append(score > 0 ? 1 : 0).append('\n');
    }
    return out.toString();
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ValidationSetGenerator <output.csv>");
      System.exit(2);
    }
    Files.writeString(Path.of(args[0]), csv(), StandardCharsets.UTF_8);
  }
}
