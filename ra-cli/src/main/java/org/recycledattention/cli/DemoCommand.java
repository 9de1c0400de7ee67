package org.recycledattention.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.config.ConfigSource;
import org.recycledattention.engine.model.LanguageModel;
import org.recycledattention.engine.wiring.ConfigLayers;
import org.recycledattention.engine.wiring.ConfigLayers.Setting;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.engine.wiring.Plugins;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.ruler.RulerCell;
import org.recycledattention.eval.ruler.RulerPolicy;
import org.recycledattention.eval.ruler.RulerRunner;
import org.recycledattention.eval.ruler.RulerTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ra demo}: the built-in retrieval probe model on two RULER-style tasks at two lengths, every
 * built-in policy at one equal budget: accuracy and decode speedup per policy, with a report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the built-in retrieval probe model on needle-in-a-haystack tasks with full, local, h2o, snapkv and recycled",
        "attention at one equal budget; print accuracy and decode speedup per policy; write demo.json, demo.md and demo.png."})
final class DemoCommand extends Subcommand {
  /** The shipped probe model, a resource of ra-train. */
  static final String PROBE_RESOURCE = "/org/recycledattention/train/probe.gguf";
  static final List<RulerTask> TASKS = List.of(RulerTask.NIAH_SINGLE, RulerTask.NIAH_MULTIKEY, RulerTask.NIAH_MULTIQUERY);
  static final List<Integer> LENGTHS = List.of(512, 1024);
  static final List<String> POLICIES = List.of("full", "local", "h2o", "snapkv", "recycled");
  static final int BUDGET = 64;
  /**
   * The demo's settings, each applied only where the user left the key at its built-in default
   * (a --budget, --set, RA_* variable or --config file value wins): the budget, and Recycled
   * Attention at the stride the paper uses.
   */
  static final Map<String, String> SETTINGS = Map.of("ra.budget", Integer.toString(BUDGET), "ra.policy.recycled.stride", "5");

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "ra-demo-out", description = "Where to write demo.json, demo.md, demo.png (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "12", description = "Samples per task and length (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--model", paramLabel = "FILE", description = "Use this model instead of the built-in probe (it must carry a tokenizer).")
  Path model;

  @Mixin
  ConfigOptions config;

  @Mixin
  PluginOptions plugins;

  DemoCommand(Map<String, String> environment) {
    super(environment);
  }

  /** The recycled policy's keys as configured: {@code schedule=fixed, stride=5, ...}. */
  static String recycledSettings(RaRuntime runtime) {
    StringBuilder sb = new StringBuilder();
    runtime.config().policy("recycled").values().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
    return sb.toString();
  }

  /** The user's configuration with {@link #SETTINGS} under it: each demo setting only for a key the user did not set. */
  private ConfigLayers layers(Plugins loaded) {
    ConfigLayers user = config.layers(environment, List.of());
    List<Setting> demo = new ArrayList<>();
    try (RaRuntime probe = RaRuntime.create(loaded.classLoader(), user)) {
      SETTINGS.forEach((key, value) -> {
        if (probe.configuration().entries().get(key).source() == ConfigSource.DEFAULT) {
          demo.add(new Setting(key, value, "the demo's setting"));
        }
      });
    }
    return user.withCommandLine(demo);
  }

  @Override
  int run() throws IOException {
    if (samples < 1) {
      throw new UsageException("invalid value '" + samples + "' for --samples: expected an integer >= 1");
    }
    EvalSupport.outDir(out);
    Path file = model;
    Path extracted = null;
    if (file == null) {
      extracted = Files.createTempFile("ra-probe-", ".gguf");
      try (InputStream in = DemoCommand.class.getResourceAsStream(PROBE_RESOURCE)) {
        if (in == null) {
          throw new RaException("the built-in probe model (" + PROBE_RESOURCE + ") is not in this build (ra-train's jar is missing from the"
              + " classpath); rebuild with 'mvn -DskipTests install', or train one with 'ra train-probe --out probe.gguf' and pass it with --model");
        }
        Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
      }
      file = extracted;
    } else {
      GenerateCommand.checkModelPath(file);
    }
    try (Plugins loaded = plugins.load(environment);
        RaRuntime runtime = RaRuntime.create(loaded.classLoader(), layers(loaded));
        LanguageModel lm = Models.load(file);
        KvCacheBackend backend = EvalSupport.backend(runtime, runtime.config().backendName())) {
      int budget = runtime.config().budget();
      long t0 = System.nanoTime();
      List<RulerCell> cells;
      try (ProgressBar bar = EvalSupport.progress("demo", (long) TASKS.size() * LENGTHS.size() * samples)) {
        cells = new RulerRunner(lm, backend, runtime.threads()).run(TASKS, LENGTHS, samples, 1,
            n -> POLICIES.stream().map(p -> RulerPolicy.of(EvalSupport.policy(runtime, p, budget))).toList(), p -> {
              bar.step();
              status.update("sample " + p.sample() + " of " + p.samples() + " of " + p.task().id() + " at length " + p.length());
            });
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      String header = "Model: " + (model == null ? "the built-in retrieval probe, " : "") + "`" + lm.description() + "`\n\nTasks " + TASKS.stream().map(RulerTask::id).toList() + " at lengths " + LENGTHS + ", "
          + samples + " samples each, budget K = " + budget + " for every policy but full, backend " + runtime.config().backendName()
          + String.format(Locale.ROOT, "; %.0f s.", seconds) + " Recycled Attention: " + recycledSettings(runtime) + ". \"full steps\" is the share of decode"
          + " steps (per layer) that read the whole context.\n\nCommand: `./ra demo" + (model != null ? " --model " + model : "") + "`";
      out().println(RulerReport.summaryTable(RulerReport.summary(cells)));
      out().println(RulerReport.table(cells));
      RulerReport.write(out, "demo", "Recycled Attention demo: retrieval at equal budget", header, cells);
      err().println("wrote " + out.resolve("demo.json") + ", demo.md, demo.png");
    } finally {
      if (extracted != null) {
        Files.deleteIfExists(extracted);
      }
    }
    return 0;
  }
}
