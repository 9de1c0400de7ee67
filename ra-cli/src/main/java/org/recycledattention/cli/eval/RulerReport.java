package org.recycledattention.cli.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.report.Charts;
import org.recycledattention.eval.report.MarkdownTable;
import org.recycledattention.eval.ruler.RulerCell;
import org.recycledattention.eval.ruler.RulerRunner;
import org.recycledattention.eval.ruler.TaskSample;

/** Tables, summary and files of a RULER run (ra eval ruler, ra demo). */
public final class RulerReport {
  private RulerReport() {}

  /** One policy's mean over every task and length. */
  record PolicySummary(String policy, int budget, double accuracy, double fullSteps, double speedupVsFull) {}

  static String table(List<RulerCell> cells) {
    MarkdownTable t = new MarkdownTable("task", ">length", "policy", ">K", ">accuracy", ">full steps", ">decode tok/s", ">speedup");
    for (RulerCell c : cells) {
      t.row(c.task(), c.length(), c.policy(), c.budget() == 0 ? "-" : Integer.toString(c.budget()), EvalSupport.fmt(c.accuracy(), 1),
          EvalSupport.fmt(c.fullSteps(), 1) + "%", EvalSupport.fmt(c.decodeTokensPerSecond(), 1), EvalSupport.ratio(c.speedupVsFull()));
    }
    return t.toMarkdown();
  }

  static List<PolicySummary> summary(List<RulerCell> cells) {
    Map<String, List<RulerCell>> byPolicy = new LinkedHashMap<>();
    for (RulerCell c : cells) {
      byPolicy.computeIfAbsent(c.policy(), k -> new ArrayList<>()).add(c);
    }
    List<PolicySummary> out = new ArrayList<>();
    byPolicy.forEach((p, cs) -> out.add(new PolicySummary(p, cs.get(0).budget(), cs.stream().mapToDouble(RulerCell::accuracy).average().orElse(Double.NaN),
        cs.stream().mapToDouble(RulerCell::fullSteps).average().orElse(Double.NaN), cs.stream().mapToDouble(RulerCell::speedupVsFull).average().orElse(Double.NaN))));
    return out;
  }

  static String summaryTable(List<PolicySummary> summary) {
    MarkdownTable t = new MarkdownTable("policy", ">K", ">mean accuracy", ">full steps", ">decode speedup vs full");
    for (PolicySummary s : summary) {
      t.row(s.policy(), s.budget() == 0 ? "-" : Integer.toString(s.budget()), EvalSupport.fmt(s.accuracy(), 1), EvalSupport.fmt(s.fullSteps(), 1) + "%",
          EvalSupport.ratio(s.speedupVsFull()));
    }
    return t.toMarkdown();
  }

  /** Writes NAME.json (cells and summary), NAME.md and NAME.png (accuracy vs speedup, one point per policy) to {@code dir}. */
  static void write(Path dir, String name, String title, String header, List<RulerCell> cells) {
    write(dir, name, title, header, cells, "");
  }

  /** {@link #write(Path, String, String, String, List)} with {@code appendix} (markdown) at the end of NAME.md. */
  static void write(Path dir, String name, String title, String header, List<RulerCell> cells, String appendix) {
    List<PolicySummary> summary = summary(cells);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cells", cells);
    json.put("summary", summary);
    EvalSupport.writeJson(dir.resolve(name + ".json"), json);
    AtomicFiles.writeString(dir.resolve(name + ".md"), "# " + title + "\n\n" + header + "\n\n## Per policy\n\n" + summaryTable(summary)
        + "\n## Per task and length\n\n" + table(cells) + appendix);
    List<Charts.Series> points = new ArrayList<>();
    for (PolicySummary s : summary) {
      points.add(new Charts.Series(s.policy(), List.of(s.speedupVsFull()), List.of(s.accuracy())));
    }
    Charts.scatterChart(dir.resolve(name + ".png"), title, "decode speedup vs full attention", "accuracy (%)", points);
  }

  /** The file, beside ruler.json, with every sample and what each policy wrote for it. */
  static final String ANSWERS = "ruler-answers.jsonl";

  /**
   * Writes {@code answered} as JSON lines, one a sample: task, length, sample (its index), depth
   * (where the (first) needle sits in the haystack, 0-1; null for tasks without one), prompt_tokens, distances (per expected value, the
   * prompt tokens from its first occurrence to the prompt's end; null where it is not in the prompt), expected (the values string_match_all
   * looks for), prompt, and per policy its label, the text it generated and that text's score.
   */
  static void writeAnswers(Path file, List<RulerRunner.AnsweredSample> answered) {
    StringBuilder lines = new StringBuilder();
    for (RulerRunner.AnsweredSample a : answered) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("task", a.sample().task().id());
      line.put("length", a.length());
      line.put("sample", a.index());
      line.put("depth", Double.isNaN(a.sample().depth()) ? null : a.sample().depth());
      line.put("prompt_tokens", a.sample().promptTokens());
      line.put("distances", a.distances().stream().map(d -> d < 0 ? null : d).toList());
      line.put("expected", a.sample().answers());
      line.put("prompt", a.sample().prompt());
      line.put("answers", a.answers().stream().map(p -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", p.policy());
        m.put("text", p.text());
        m.put("score", p.score());
        return m;
      }).toList());
      try {
        lines.append(LINES.writeValueAsString(line)).append('\n');
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
      }
    }
    AtomicFiles.writeString(file, lines.toString());
  }

  private static final ObjectWriter LINES = EvalSupport.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

  /** Width of a bin of {@link #distanceTable}, in tokens. */
  static final int DISTANCE_BIN = 256;

  /**
   * Per task and policy, the share of expected values found in the generated text, by how far back
   * the value sits ({@link RulerRunner.AnsweredSample#distances()}, bins of {@value #DISTANCE_BIN}
   * tokens): where a model's reach ends, whatever the prompt's length. A markdown section; empty when
   * no task copies values from its prompt.
   */
  static String distanceTable(List<RulerRunner.AnsweredSample> answered) {
    record Key(String task, String policy, int bin) {}
    Map<Key, int[]> counts = new LinkedHashMap<>(); // found, all
    Map<String, List<String>> rows = new LinkedHashMap<>();
    int bins = 0;
    for (RulerRunner.AnsweredSample a : answered) {
      String task = a.sample().task().id();
      for (int v = 0; v < a.distances().size(); v++) {
        int d = a.distances().get(v);
        if (d < 0) {
          continue;
        }
        int bin = d / DISTANCE_BIN;
        bins = Math.max(bins, bin + 1);
        String value = a.sample().answers().get(v);
        for (RulerRunner.PolicyAnswer p : a.answers()) {
          List<String> policies = rows.computeIfAbsent(task, k -> new ArrayList<>());
          if (!policies.contains(p.policy())) {
            policies.add(p.policy());
          }
          int[] c = counts.computeIfAbsent(new Key(task, p.policy(), bin), k -> new int[2]);
          c[0] += TaskSample.found(p.text(), value) ? 1 : 0;
          c[1]++;
        }
      }
    }
    if (rows.isEmpty()) {
      return "";
    }
    String[] header = new String[2 + bins];
    header[0] = "task";
    header[1] = "policy";
    for (int b = 0; b < bins; b++) {
      header[2 + b] = ">" + b * DISTANCE_BIN + "-" + ((b + 1) * DISTANCE_BIN - 1);
    }
    MarkdownTable t = new MarkdownTable(header);
    for (Map.Entry<String, List<String>> e : rows.entrySet()) {
      for (String policy : e.getValue()) {
        Object[] row = new Object[2 + bins];
        row[0] = e.getKey();
        row[1] = policy;
        for (int b = 0; b < bins; b++) {
          int[] c = counts.get(new Key(e.getKey(), policy, b));
          row[2 + b] = c == null ? "-" : EvalSupport.fmt(100.0 * c[0] / c[1], 1) + " (" + c[1] + ")";
        }
        t.row(row);
      }
    }
    return "\n## By distance from the prompt's end\n\nValues found in the answer (%, and how many), by how many prompt tokens lie between"
        + " the value's first occurrence and the prompt's end (the question included):\n\n" + t.toMarkdown();
  }
}
