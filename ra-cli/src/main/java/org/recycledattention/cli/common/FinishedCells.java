package org.recycledattention.cli.common;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.recycledattention.eval.report.AtomicFiles;

/**
 * The cells a measuring command (bench, eval, demo) has finished so far, kept so that an
 * interrupted run still reports them: {@link #partialReport} writes them as a report marked partial
 * ({@code "partial": true} in the JSON, a line in the Markdown), or prints them when the command
 * writes no files. Thread-safe: the command adds from its thread, the interrupt hook reads from the
 * JVM's shutdown thread.
 *
 * @param <T> a cell record
 */
public final class FinishedCells<T> {
  private final List<T> cells = new ArrayList<>();

  public synchronized void add(List<T> finished) {
    cells.addAll(finished);
  }

  public synchronized List<T> snapshot() {
    return List.copyOf(cells);
  }

  /**
   * What to do when the run is interrupted, for {@link StatusLine#partialReport}: with a report
   * directory, write NAME.json ({@code {"partial": true, ...}} with the fields {@code json} makes of
   * the cells) and NAME.md (the table, after a line saying it is partial), and remove a NAME.png of
   * an earlier run, which these cells did not draw; without one, print the table to {@code console}.
   *
   * @param table the Markdown table of the finished cells
   * @param json the report's JSON fields for the finished cells ({@code cells}, a summary)
   */
  public StatusLine.PartialReport partialReport(Path dir, String name, String title, Function<List<T>, String> table,
      Function<List<T>, Map<String, Object>> json, PrintWriter console) {
    return () -> {
      List<T> done = snapshot();
      String markdown = table.apply(done);
      if (dir == null) {
        console.println();
        console.println("Partial results (interrupted; " + done.size() + " finished cells):");
        console.println(markdown);
        console.flush();
        return done.size() + " finished cells to stdout";
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("partial", true);
      report.putAll(json.apply(done));
      EvalSupport.writeJson(dir.resolve(name + ".json"), report);
      AtomicFiles.writeString(dir.resolve(name + ".md"), "# " + title + "\n\n**Partial report**: the run was interrupted; only the " + done.size()
          + " finished cells are listed.\n\n" + markdown);
      try {
        Files.deleteIfExists(dir.resolve(name + ".png"));
      } catch (IOException ignored) {
        // best effort: a chart of an earlier run; the Markdown says this report is partial
      }
      return done.size() + " finished cells to " + dir.resolve(name + ".json") + " and " + name + ".md";
    };
  }
}
