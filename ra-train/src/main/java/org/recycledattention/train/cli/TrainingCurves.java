package org.recycledattention.train.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.report.Charts;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.train.ProbeTrainer.StepLog;

/**
 * The curves of one {@code ra train-probe} run: every step's log as CSV, and a chart of the
 * running share of right answers (per task and over all) and of the curriculum's longest prompt.
 */
final class TrainingCurves {
  /** Points per line of the chart, at most. */
  static final int POINTS = 200;

  private final Path png;
  private final int maxLength;
  private final List<StepLog> logs = new ArrayList<>();

  TrainingCurves(Path png, int maxLength) {
    this.png = png;
    this.maxLength = maxLength;
  }

  /** The CSV written beside {@code png}: the same name ending in .csv. */
  static Path csv(Path png) {
    String name = png.getFileName().toString();
    return png.resolveSibling(name.substring(0, name.length() - ".png".length()) + ".csv");
  }

  void add(StepLog log) {
    logs.add(log);
  }


  void write() {
    TreeSet<RulerTask> tasks = new TreeSet<>();
    logs.forEach(l -> tasks.addAll(l.taskAccuracy().keySet()));
    StringBuilder sb = new StringBuilder("step,length,curriculum_length,curriculum_tasks,loss,token_accuracy,sample_accuracy,skipped,millis,curriculum_keys");
    tasks.forEach(t -> sb.append(',').append(t.id()).append("_running"));
    sb.append('\n');
    List<Double> x = new ArrayList<>();
    List<Double> all = new ArrayList<>();
    List<Double> length = new ArrayList<>();
    Map<RulerTask, List<Double>> perTask = new LinkedHashMap<>();
    Map<RulerTask, List<Double>> perTaskX = new LinkedHashMap<>();
    double running = 0;
    int every = Math.max(1, logs.size() / POINTS);
    for (StepLog l : logs) {
      sb.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%.5f,%.4f,%.4f,%d,%.1f", l.step(), l.length(), l.curriculumLength(), l.curriculumTasks(), l.loss(),
          l.tokenAccuracy(), l.sampleAccuracy(), l.skippedSteps(), l.millis()));
      sb.append(',').append(l.curriculumKeys());
      for (RulerTask t : tasks) {
        Double v = l.taskAccuracy().get(t);
        sb.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
      }
      sb.append('\n');
      running = l.step() == 1 ? l.sampleAccuracy() : 0.97 * running + 0.03 * l.sampleAccuracy();
      if (l.step() % every == 0 || l.step() == logs.size()) {
        x.add((double) l.step());
        all.add(running);
        length.add(l.curriculumLength() / (double) maxLength);
        l.taskAccuracy().forEach((t, v) -> {
          perTask.computeIfAbsent(t, k -> new ArrayList<>()).add(v);
          perTaskX.computeIfAbsent(t, k -> new ArrayList<>()).add((double) l.step());
        });
      }
    }
    AtomicFiles.writeString(csv(png), sb.toString());
    List<Charts.Series> series = new ArrayList<>();
    if (!x.isEmpty()) {
      series.add(new Charts.Series("answers right, all tasks", x, all));
      perTask.forEach((t, ys) -> series.add(new Charts.Series(t.id(), perTaskX.get(t), ys)));
      series.add(new Charts.Series("longest prompt / " + maxLength, x, length));
      Charts.lineChart(png, "ra train-probe: running share of answers right (teacher-forced)", "step", "share", series, false);
    }
  }
}
