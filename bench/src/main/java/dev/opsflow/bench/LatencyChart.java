package dev.opsflow.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * The latency distributions as one PNG, drawn with the JDK alone (Java2D, headless): for each
 * series the share of requests answered within a time (a cumulative distribution), on a log time
 * axis, opsflow solid and bare Temporal dashed in the same colour, so each pair reads at a glance.
 */
final class LatencyChart {
  /** Series are named "what · side", side being {@link #OPSFLOW} or {@link #BARE}. */
  static final String OPSFLOW = "opsflow";

  static final String BARE = "bare";
  static final String SEPARATOR = " · ";

  private static final int WIDTH = 1200;
  private static final int HEIGHT = 720;
  private static final int LEFT = 80;
  private static final int RIGHT = 330;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e),
    new Color(0x17becf),
    new Color(0x8c564b),
    new Color(0xe377c2)
  };

  private LatencyChart() {}

  static String series(String what, String side) {
    return what + SEPARATOR + side;
  }

  static void write(Map<String, Samples> distributions, Path file) throws IOException {
    Map<String, Samples> series = new TreeMap<>();
    distributions.forEach(
        (name, samples) -> {
          if (samples.count() > 0) {
            series.put(name, samples);
          }
        });
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      draw(g, series);
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  private static void draw(Graphics2D g, Map<String, Samples> series) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;

    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Samples s : series.values()) {
      double[] v = s.sorted();
      lo = Math.min(lo, Math.max(0.01, v[0]));
      hi = Math.max(hi, v[v.length - 1]);
    }
    if (series.isEmpty()) {
      lo = 1;
      hi = 1000;
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.max(logLo + 1, Math.ceil(Math.log10(Math.max(hi, lo * 10))));

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(
        "opsflow vs bare Temporal: share of requests answered within a time (all rounds)",
        LEFT,
        28);

    // Grid: decades on x, tenths on y.
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int d = (int) logLo; d <= (int) logHi; d++) {
      int x = LEFT + (int) Math.round((d - logLo) / (logHi - logLo) * plotW);
      g.setColor(new Color(0xdddddd));
      g.drawLine(x, TOP, x, TOP + plotH);
      g.setColor(Color.DARK_GRAY);
      String label = formatMillis(Math.pow(10, d));
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 18);
    }
    for (int p = 0; p <= 10; p++) {
      int y = TOP + plotH - (int) Math.round(p / 10.0 * plotH);
      g.setColor(new Color(0xeeeeee));
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      String label = (p * 10) + "%";
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotW, plotH);
    g.drawString("latency (log scale)", LEFT + plotW / 2 - 50, TOP + plotH + 45);

    Map<String, Color> colours = new LinkedHashMap<>();
    int legendY = TOP + 10;
    List<String> names = new ArrayList<>(series.keySet());
    for (String name : names) {
      String what = name.contains(SEPARATOR) ? name.substring(0, name.indexOf(SEPARATOR)) : name;
      boolean bare = name.endsWith(SEPARATOR + BARE);
      Color colour = colours.computeIfAbsent(what, k -> PALETTE[colours.size() % PALETTE.length]);
      BasicStroke stroke =
          bare
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f)
              : new BasicStroke(2.5f);
      double[] v = series.get(name).sorted();
      Path2D.Double path = new Path2D.Double();
      for (int i = 0; i < v.length; i++) {
        double lx = Math.log10(Math.max(v[i], Math.pow(10, logLo)));
        double x = LEFT + (lx - logLo) / (logHi - logLo) * plotW;
        double y = TOP + plotH - (double) (i + 1) / v.length * plotH;
        if (i == 0) {
          path.moveTo(x, TOP + plotH);
          path.lineTo(x, y);
        } else {
          path.lineTo(x, path.getCurrentPoint().getY());
          path.lineTo(x, y);
        }
      }
      g.setColor(colour);
      g.setStroke(stroke);
      g.draw(path);
      g.drawLine(LEFT + plotW + 20, legendY, LEFT + plotW + 50, legendY);
      g.setStroke(new BasicStroke(1f));
      g.setColor(Color.BLACK);
      Samples s = series.get(name);
      g.drawString(name, LEFT + plotW + 56, legendY + 4);
      g.setColor(Color.DARK_GRAY);
      g.drawString(
          String.format(
              Locale.ROOT,
              "p50 %s   p99 %s   n=%d",
              formatMillis(s.p50()),
              formatMillis(s.p99()),
              s.count()),
          LEFT + plotW + 56,
          legendY + 19);
      legendY += 38;
    }
  }

  static String formatMillis(double ms) {
    if (ms >= 1000) {
      return Results.format(ms / 1000) + " s";
    }
    return Results.format(ms) + " ms";
  }
}
