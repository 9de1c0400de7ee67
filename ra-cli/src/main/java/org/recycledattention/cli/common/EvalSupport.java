package org.recycledattention.cli.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.ruler.RulerPolicy;
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

  /**
   * A policy or a variant of one: {@code name} or {@code name:key=value[:key=value...]}, the keys
   * of {@code ra.policy.<name>.} overriding the configured ones for this entry only (so one run can
   * compare {@code recycled:stride=5} with {@code recycled:stride=20}).
   *
   * @throws UsageException for a malformed entry; an unknown key or bad value throws the
   *     configuration's error naming {@code ra.policy.<name>.<key>}
   */
  public static RulerPolicy variant(RaRuntime runtime, String spec, int budget) {
    String[] parts = spec.split(":");
    String name = parts[0].strip();
    if (parts.length == 1) {
      return RulerPolicy.of(runtime.policyFactory(name, budget));
    }
    AttentionPolicyProvider provider = runtime.policyRegistry().get(name);
    Map<String, String> raw = new LinkedHashMap<>(runtime.config().policy(name).texts());
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new UsageException("malformed policy variant '" + spec + "': '" + parts[i]
            + "' is not key=value; expected e.g. recycled:stride=20");
      }
      raw.put(kv[0].strip(), kv[1].strip());
    }
    ProviderConfig config = ProviderConfig.resolve(ConfigKeys.policyPrefix(name), provider.properties(), raw);
    return new RulerPolicy(spec.strip(), new PolicyFactory(provider, new PolicyConfig(budget, config)));
  }

  /** The policy names of variant entries ({@code recycled:stride=20} names {@code recycled}), without repeats. */
  public static List<String> baseNames(List<String> specs) {
    return specs.stream().map(s -> s.split(":")[0].strip()).distinct().toList();
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

  /** Milliseconds between two plain progress lines when stderr is no terminal ({@link #progress}). */
  public static final long PLAIN_PROGRESS_EVERY_MILLIS = 30_000;

  /** A progress bar on stderr ({@link #progress(String, long, boolean)} with plain lines). */
  public static ProgressBar progress(String task, long max) {
    return progress(task, max, true);
  }

  /**
   * A progress bar on stderr. When the user watches a terminal ({@link System#console()}: stdin and
   * stdout are one; the launcher pipes stderr through its filter, so stderr itself never is) it
   * redraws in place every 250 ms; otherwise (a log file, a pipe, CI) it writes whole lines instead,
   * the first state, one at every tenth of the work, one after {@value #PLAIN_PROGRESS_EVERY_MILLIS} ms
   * without a line and the last, or nothing when {@code plainLines} is false (a command that logs
   * lines of its own).
   */
  public static ProgressBar progress(String task, long max, boolean plainLines) {
    ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250).continuousUpdate();
    if (System.console() != null) {
      return builder.setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }
    PlainProgressLines plain = new PlainProgressLines(System.err, plainLines ? PLAIN_PROGRESS_EVERY_MILLIS : -1, System::currentTimeMillis);
    ProgressBar bar = builder.setConsumer(plain).build();
    plain.follow(() -> bar.getMax() <= 0 ? -1 : (int) Math.min(100, bar.getCurrent() * 100 / bar.getMax()));
    return bar;
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
