package org.recycledattention.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
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
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.registry.Availability;
import org.recycledattention.engine.model.LanguageModel;
import org.recycledattention.engine.wiring.ConfigLayers.Setting;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.engine.wiring.PolicyFactory;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.ruler.RulerPolicy;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;

/** What the measuring commands (bench, eval, demo, export-gguf) share. */
final class EvalSupport {
  /** Reports' JSON: records with snake_case field names, indented. */
  static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private EvalSupport() {}

  /** A model file or a {@code synthetic:} spec; the caller closes it. */
  static LanguageModel loadModel(String model) {
    if (SyntheticSpec.isSynthetic(model)) {
      return SyntheticModels.build(SyntheticSpec.parse(model));
    }
    Path path = Path.of(model);
    GenerateCommand.checkModelPath(path);
    return Models.load(path);
  }

  /** {@code --threads} as the {@code ra.threads} setting, or nothing when the flag is absent. */
  static List<Setting> threadsSetting(String threads) {
    return threads == null ? List.of() : List.of(new Setting("ra.threads", threads, "--threads"));
  }

  /** Comma-separated names, trimmed, without duplicates, at least one. */
  static List<String> names(String csv, String flag) {
    List<String> out = new ArrayList<>(new LinkedHashSet<>(List.of(csv.split(","))).stream().map(String::strip).filter(s -> !s.isEmpty()).toList());
    if (out.isEmpty()) {
      throw new UsageException(flag + " is empty; expected comma-separated names such as full,recycled");
    }
    return out;
  }

  /** Comma-separated positive integers. */
  static List<Integer> positiveInts(String csv, String flag) {
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

  /** The named policy with its configured keys and budget {@code budget}. */
  static PolicyFactory policy(RaRuntime runtime, String name, int budget) {
    AttentionPolicyProvider provider = runtime.policyRegistry().get(name);
    return new PolicyFactory(provider, new PolicyConfig(budget, runtime.config().policy(name)));
  }

  /**
   * A policy or a variant of one: {@code name} or {@code name:key=value[:key=value...]}, the keys
   * of {@code ra.policy.<name>.} overriding the configured ones for this entry only (so one run can
   * compare {@code recycled:stride=5} with {@code recycled:stride=20}).
   *
   * @throws UsageException for a malformed entry; an unknown key or bad value throws the
   *     configuration's error naming {@code ra.policy.<name>.<key>}
   */
  static RulerPolicy variant(RaRuntime runtime, String spec, int budget) {
    String[] parts = spec.split(":");
    String name = parts[0].strip();
    if (parts.length == 1) {
      return RulerPolicy.of(policy(runtime, name, budget));
    }
    AttentionPolicyProvider provider = runtime.policyRegistry().get(name);
    Map<String, String> raw = new LinkedHashMap<>();
    runtime.config().policy(name).values().forEach((k, v) -> raw.put(k, String.valueOf(v)));
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new UsageException("malformed policy variant '" + spec + "': '" + parts[i] + "' is not key=value; expected e.g. recycled:stride=20");
      }
      raw.put(kv[0].strip(), kv[1].strip());
    }
    ProviderConfig config = ProviderConfig.resolve("ra.policy." + name + ".",
        provider.properties(), raw);
    return new RulerPolicy(spec.strip(), new PolicyFactory(provider, new PolicyConfig(budget, config)));
  }

  /** The named backend, started with its configured keys; refuses an unavailable one. The caller closes it. */
  static KvCacheBackend backend(RaRuntime runtime, String name) {
    KvCacheBackendProvider provider = runtime.backendRegistry().get(name);
    Availability a = provider.availability();
    if (!a.available()) {
      throw new UsageException("KV-cache backend '" + name + "' is not available here: " + a.detail() + "; choose another with --backends (see 'ra backends')");
    }
    return provider.create(runtime.config().backend(name));
  }

  /** The budget for context {@code n}: {@code ratio·n} when a ratio is given, else {@code budget}. */
  static int budgetFor(int n, Double ratio, int budget) {
    return ratio == null ? budget : Math.max(1, (int) Math.round(ratio * n));
  }

  static void checkRatio(Double ratio) {
    if (ratio != null && !(ratio > 0 && ratio <= 1)) {
      throw new UsageException("invalid value '" + ratio + "' for --budget-ratio: expected a number in (0, 1], e.g. 0.125");
    }
  }

  /** A progress bar on stderr. */
  static ProgressBar progress(String task, long max) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
  }

  /** Creates {@code dir} (and parents); a file in the way is a usage error. */
  static Path outDir(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("--out '" + dir + "' exists and is not a directory; pass a directory for the reports");
    }
    return dir;
  }

  static void writeJson(Path file, Object value) {
    AtomicFiles.write(file, out -> JSON.writeValue(out, value));
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** A speedup such as {@code 2.35x}; {@code n/a} when there is no reference to divide by. */
  static String ratio(double v) {
    return Double.isNaN(v) ? "n/a" : fmt(v, 2) + "x";
  }
}
