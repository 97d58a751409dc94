package dev.opsflow.sandbox.demo;

import java.util.Locale;

/**
 * What a version of the demo app does with requests, decided by its image: the sandbox's
 * convention, so that a canary can be made good or bad by the image it is given. An image whose tag
 * contains {@code bad} (any case, e.g. {@code registry.example/web:2.0-bad}) answers about 10% of
 * requests with 500 and takes 120-400 ms; any other image answers about 0.2% with 500 and takes
 * 10-40 ms. The tag is what follows the last {@code :} after the last {@code /}; an image without
 * one is {@code latest}.
 *
 * @param name {@code good} or {@code bad}
 * @param errorRatio the share of requests answered with 500
 * @param minLatencySeconds the fastest answer
 * @param maxLatencySeconds the slowest answer
 */
public record ImageBehaviour(
    String name, double errorRatio, double minLatencySeconds, double maxLatencySeconds) {
  public static final ImageBehaviour GOOD = new ImageBehaviour("good", 0.002, 0.010, 0.040);
  public static final ImageBehaviour BAD = new ImageBehaviour("bad", 0.10, 0.120, 0.400);

  /** The behaviour of a version running {@code image}. */
  public static ImageBehaviour of(String image) {
    return tag(image).toLowerCase(Locale.ROOT).contains("bad") ? BAD : GOOD;
  }

  /** The image's tag: after the last ':' that follows the last '/', else {@code latest}. */
  static String tag(String image) {
    if (image == null) {
      return "latest";
    }
    String last = image.substring(image.lastIndexOf('/') + 1);
    int digest = last.indexOf('@');
    if (digest >= 0) {
      last = last.substring(0, digest);
    }
    int colon = last.lastIndexOf(':');
    return colon < 0 ? "latest" : last.substring(colon + 1);
  }
}
