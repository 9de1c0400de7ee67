package org.recycledattention.eval.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts through XChart, written atomically. Headless. */
public final class Charts {
  private Charts() {}

  /** One named line or point set. */
  public record Series(String name, List<Double> x, List<Double> y) {
    public Series {
      if (x.size() != y.size() || x.isEmpty()) {
        throw new IllegalArgumentException("series '" + name + "' needs as many x as y values, at least one");
      }
      x = List.copyOf(x);
      y = List.copyOf(y);
    }
  }

  /** A line chart (one line per series, markers on points); {@code logX} for context-length axes. */
  public static void lineChart(Path png, String title, String xTitle, String yTitle, List<Series> series, boolean logX) {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setXAxisLogarithmic(logX);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
    for (Series s : series) {
      chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.CIRCLE);
    }
    save(png, chart);
  }

  /** A scatter chart, one labelled point set per series. */
  public static void scatterChart(Path png, String title, String xTitle, String yTitle, List<Series> series) {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(12);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
    for (Series s : series) {
      chart.addSeries(s.name(), s.x(), s.y());
    }
    save(png, chart);
  }

  /** Grouped bars: one group per category, one bar per series. */
  public static void barChart(Path png, String title, String yTitle, List<String> categories, List<String> seriesNames, double[][] values) {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(560).title(title).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
    for (int s = 0; s < seriesNames.size(); s++) {
      List<Double> ys = new ArrayList<>();
      for (double v : values[s]) {
        ys.add(v);
      }
      chart.addSeries(seriesNames.get(s), categories, ys);
    }
    save(png, chart);
  }

  private static void save(Path png, Chart<?, ?> chart) {
    System.setProperty("java.awt.headless", "true");
    AtomicFiles.write(png, out -> {
      BufferedImage image = BitmapEncoder.getBufferedImage(chart);
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer available");
      }
    });
  }
}
