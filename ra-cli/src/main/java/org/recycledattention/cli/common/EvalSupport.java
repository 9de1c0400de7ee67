package org.recycledattention.cli.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.io.OutputFiles;
import org.recycledattention.model.llama.LanguageModel;

/** What the measuring commands (bench, eval, demo, export-gguf) share. */
public final class EvalSupport {
  /** Reports' JSON: records with snake_case field names, indented. */
  public static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private EvalSupport() {}

  /** A model file (memory-mapped) or a {@code synthetic:} spec; the caller closes it. */
  public static LanguageModel loadModel(String model) {
    return loadModel(model, FileAccess.MAPPED);
  }

  /** A model file, opened as {@code access} says, or a {@code synthetic:} spec; the caller closes it. */
  public static LanguageModel loadModel(String model, FileAccess access) {
    if (SyntheticSpec.isSynthetic(model)) {
      return SyntheticModels.build(SyntheticSpec.parse(model));
    }
    Path path = Path.of(model);
    Inputs.checkModelPath(path);
    return Models.load(path, access);
  }

  /**
   * Checks {@code --model} before any work: a synthetic spec is parsed (so that a bad one fails
   * first), a file is checked with {@link Inputs#checkModelPath}. Returns the files it names, for
   * output checks (none for a synthetic model).
   */
  public static List<Path> checkModel(String model) {
    if (SyntheticSpec.isSynthetic(model)) {
      SyntheticModels.check(SyntheticSpec.parse(model));
      return List.of();
    }
    Path path = Path.of(model);
    Inputs.checkModelPath(path);
    return Inputs.modelFiles(path);
  }

  /** Comma-separated names, trimmed, without duplicates, at least one. */
  public static List<String> names(String csv, String flag) {
    List<String> out = new ArrayList<>(new LinkedHashSet<>(List.of(csv.split(","))).stream().map(String::strip).filter(s -> !s.isEmpty()).toList());
    if (out.isEmpty()) {
      throw new UsageException(flag + " is empty; expected comma-separated names such as full,recycled");
    }
    return out;
  }

  /** Comma-separated positive integers. */
  public static List<Integer> positiveInts(String csv, String flag) {
    List<Integer> out = new ArrayList<>();
    for (String p : csv.split(",")) {
      try {
        int v = Integer.parseInt(p.strip());
        if (v < 1) {
          throw new NumberFormatException();
        }
        out.add(v);
      } catch (NumberFormatException e) {
        throw new UsageException("malformed " + flag + " '" + csv + "': '" + p.strip() + "' is not a positive integer; expected e.g. 1024,4096");
      }
    }
    return out;
  }

  /** The budget for context {@code n}: {@code ratio·n} when a ratio is given, else {@code budget}. */
  public static int budgetFor(int n, Double ratio, int budget) {
    return ratio == null ? budget : Math.max(1, (int) Math.round(ratio * n));
  }

  public static void checkRatio(Double ratio) {
    if (ratio != null && !(ratio > 0 && ratio <= 1)) {
      throw new UsageException("invalid value '" + ratio + "' for --budget-ratio: expected a number in (0, 1], e.g. 0.125");
    }
  }

  /** A progress bar on stderr. */
  public static ProgressBar progress(String task, long max) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
  }

  /**
   * Checks the report directory {@code dir} and the report files {@code names} in it before any
   * work ({@link OutputFiles}): the directory is one or can be created, no report file would
   * replace an input of the command or anything but a regular file. Creates nothing.
   */
  public static Path outDir(Path dir, List<Path> inputs, String... names) {
    OutputFiles.checkDirectory(dir, "--out");
    for (String name : names) {
      OutputFiles.check(dir.resolve(name), inputs, "--out");
    }
    return dir;
  }

  public static void writeJson(Path file, Object value) {
    AtomicFiles.write(file, out -> JSON.writeValue(out, value));
  }

  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** A speedup such as {@code 2.35x}; {@code n/a} when there is no reference to divide by. */
  public static String ratio(double v) {
    return Double.isNaN(v) ? "n/a" : fmt(v, 2) + "x";
  }
}
